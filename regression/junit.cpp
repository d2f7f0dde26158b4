#include "regression/junit.hpp"

#include <fmt/format.h>

#include "regression/compare.hpp"

namespace xbar::regression {
namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\n':
      case '\t': out += static_cast<char>(ch); break;
      default:
        if (ch >= 0x20) out += static_cast<char>(ch);  // control characters are not allowed in XML 1.0
    }
  }
  return out;
}

}  // namespace

std::string junit_xml(const std::vector<CaseOutcome>& outcomes, const std::string& suite_name) {
  int failures = 0, errors = 0;
  double total = 0;
  std::string body;
  for (const CaseOutcome& o : outcomes) {
    total += o.elapsed_s;
    body += fmt::format("  <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"", xml_escape(suite_name),
                        xml_escape(o.name), o.elapsed_s);
    switch (o.status) {
      case CaseStatus::kPassed: body += "/>\n"; continue;
      case CaseStatus::kFailed:
      case CaseStatus::kNew: {
        ++failures;
        const std::string msg = o.status == CaseStatus::kNew ? o.message
                                                             : fmt::format("{} of {} values outside tolerance",
                                                                           o.failed_checks(), o.checks.size());
        body += fmt::format(">\n    <failure message=\"{}\">{}</failure>\n  </testcase>\n", xml_escape(msg),
                            xml_escape(deviation_table(failing_rows(o))));
        continue;
      }
      default:
        ++errors;
        body += fmt::format(">\n    <error type=\"{}\" message=\"{}\"/>\n  </testcase>\n", to_string(o.status),
                            xml_escape(o.message));
    }
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
      "time=\"{:.3f}\">\n{}</testsuite>\n",
      xml_escape(suite_name), outcomes.size(), failures, errors, total, body);
}

}  // namespace xbar::regression
