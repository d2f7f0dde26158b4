#include "report/failure_evidence.hpp"

#include <ostream>

#include "report/result_set.hpp"

namespace xbar {

void write_failure_evidence(const std::filesystem::path& dir, const FailureEvidence& e) {
  ResultSetWriter set(dir);
  if (!e.netlist.empty())
    set.write("netlist.cir", [&](std::ostream& out) {
      for (const auto& l : e.netlist) out << l << '\n';
    });
  if (!e.log.empty()) set.write("ngspice.log", e.log);
  if (!e.error.empty()) set.write("error.txt", e.error);
  set.commit();
}

}  // namespace xbar
