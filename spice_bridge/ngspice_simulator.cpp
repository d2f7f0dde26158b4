// make_ngspice_simulator(): a handle on this process's one ngspice session.
#include "spice_bridge/ngspice_session.hpp"
#include "spice_bridge/simulator.hpp"

namespace xbar {
namespace {

class InProcessSimulator final : public Simulator {
 public:
  std::string version() override { return spice::NgspiceSession::instance().version(); }
  bool has_klu() override { return spice::NgspiceSession::instance().has_klu(); }
  SimResult run(const std::vector<std::string>& netlist, const std::string& command) override {
    return spice::NgspiceSession::instance().run(netlist, command);
  }
};

}  // namespace

std::unique_ptr<Simulator> make_ngspice_simulator() { return std::make_unique<InProcessSimulator>(); }

}  // namespace xbar
