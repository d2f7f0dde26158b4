#include "noise/mosfet_point.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include <fmt/format.h>

#include "common/diagnostics.hpp"
#include "config_loader/spice_number.hpp"

namespace xbar {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

// `key=value` pairs of a card's text ("level = 1" too), lower case.
std::vector<std::pair<std::string, std::string>> card_pairs(std::string text) {
  for (char& ch : text)
    if (ch == '(' || ch == ')' || ch == ',') ch = ' ';
  std::string spaced;
  for (char ch : text) {
    if (ch == '=')
      spaced += " = ";
    else
      spaced += ch;
  }
  std::istringstream in(lower(spaced));
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (std::size_t k = 1; k + 1 < words.size(); ++k)
    if (words[k] == "=") pairs.push_back({words[k - 1], words[k + 1]});
  return pairs;
}

}  // namespace

MosfetCard mosfet_card(const std::vector<std::string>& lines, const std::string& name) {
  const std::string want = lower(name);
  for (std::size_t k = 0; k < lines.size(); ++k) {
    std::istringstream head(lower(lines[k]));
    std::string dot, model;
    if (!(head >> dot >> model) || dot != ".model" || model != want) continue;
    std::string text = lines[k];
    for (std::size_t c = k + 1; c < lines.size() && !lines[c].empty() && lines[c][0] == '+'; ++c)
      text += " " + lines[c].substr(1);
    MosfetCard card{.level = 1};
    for (const auto& [key, value] : card_pairs(text)) {
      const double v = parse_spice_number(value).value_or(0.0);
      if (key == "level") card.level = static_cast<int>(v);
      if (key == "kf") card.kf = v;
    }
    return card;
  }
  return {};
}

std::vector<MosfetPoint> mosfet_points(const Circuit& circuit, Simulator& sim) {
  std::vector<const Element*> mosfets;
  for (const Element& e : circuit.elements)
    if (e.kind == ElementKind::kMosfet) mosfets.push_back(&e);
  if (mosfets.empty()) return {};
  if (circuit.vectors != 1) throw std::invalid_argument("noise: the transistors' op needs a one-vector circuit");
  std::vector<std::string> lines = write_spice_netlist(circuit);
  for (const Element* e : mosfets) {
    if (e->subckt)
      throw SimulationError(fmt::format(
          "noise: transistor '{}' is a subcircuit (a PDK wrapper); xbar's noise takes level-1 .model cards only",
          e->name));
    const MosfetCard card = mosfet_card(lines, e->model);
    if (card.level != 1)
      throw SimulationError(fmt::format(
          "noise: transistor model '{}' is {}; xbar's noise takes level-1 cards only (nmos_level1): BSIM4's "
          "channel noise needs quantities ngspice does not report",
          e->model, card.level == 0 ? "not defined by a .model line" : fmt::format("level {}", card.level)));
    if (card.kf != 0)
      throw SimulationError(
          fmt::format("noise: transistor model '{}' has flicker noise (kf = {}), which xbar's noise does not model",
                      e->model, card.kf));
  }
  lines.pop_back();  // `.end`
  static constexpr const char* kParams[] = {"gm", "gds", "gmbs", "gbd", "gbs"};
  std::string save = ".save";
  for (const Element* e : mosfets)
    for (const char* p : kParams) save += fmt::format(" @{}[{}]", e->name, p);
  lines.push_back(save);
  lines.push_back(".end");
  const SimResult r = sim.run(lines, "op");
  auto value = [&](const Element& e, const char* p) {
    const auto it = r.vectors.find(fmt::format("@{}[{}]", lower(e.name), p));
    if (it == r.vectors.end() || it->second.empty())
      throw SimulationError(fmt::format("ngspice's op returned no @{}[{}]", e.name, p), r.log);
    return it->second[0];
  };
  std::vector<MosfetPoint> points;
  points.reserve(mosfets.size());
  for (const Element* e : mosfets)
    points.push_back({value(*e, "gm"), value(*e, "gds"), value(*e, "gmbs"), value(*e, "gbd"), value(*e, "gbs")});
  return points;
}

}  // namespace xbar
