#include "config_loader/yaml_event_budget.hpp"

#include <sstream>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

namespace xbar {
namespace {

class EventCounter final : public YAML::EventHandler {
 public:
  explicit EventCounter(std::size_t budget) : budget_(budget) {}
  void OnDocumentStart(const YAML::Mark& m) override { count(m); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { count(m); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { count(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override { count(m); }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    count(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    count(m);
  }
  void OnMapEnd() override {}

 private:
  void count(const YAML::Mark& m) {
    if (++events_ > budget_) throw YAML::ParserException(m, "the YAML parser does not terminate on this text");
  }
  std::size_t budget_;
  std::size_t events_ = 0;
};

}  // namespace

void check_yaml_event_budget(const std::string& yaml) {
  // Every node event consumes at least one byte ("[]" is two events in two
  // bytes); 4 per byte leaves a wide margin.
  EventCounter counter(4 * yaml.size() + 64);
  std::istringstream in(yaml);
  YAML::Parser parser(in);
  while (parser.HandleNextDocument(counter)) {
  }
}

}  // namespace xbar
