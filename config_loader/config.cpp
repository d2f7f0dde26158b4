#include "config_loader/config.hpp"

namespace xbar {

const char* to_string(AnalysisKind k) {
  switch (k) {
    case AnalysisKind::kOp: return "op";
    case AnalysisKind::kTran: return "tran";
    case AnalysisKind::kRead: return "read";
  }
  return "?";
}

const char* to_string(EngineKind k) {
  switch (k) {
    case EngineKind::kSpice: return "spice";
    case EngineKind::kNodal: return "nodal";
    case EngineKind::kBoth: return "both";
  }
  return "?";
}

SourcePos Config::where(const std::string& dotted_key) const {
  auto it = origin.find(dotted_key);
  if (it != origin.end()) return it->second;
  return SourcePos{config_file, 0, 0};
}

}  // namespace xbar
