#include "shardsim/report/junit.hpp"

namespace shardsim::report {

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

void write_junit(std::ostream& out, const std::vector<ScenarioChecks>& scenarios) {
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  for (const ScenarioChecks& s : scenarios) {
    tests += s.error.empty() ? static_cast<int>(s.outcomes.size()) : 1;
    errors += s.error.empty() ? 0 : 1;
    for (const CheckOutcome& o : s.outcomes) {
      failures += !o.passed && !o.skipped ? 1 : 0;
      skipped += o.skipped ? 1 : 0;
    }
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"shardsim check\" tests=\"" << tests << "\" failures=\"" << failures << "\" errors=\""
      << errors << "\" skipped=\"" << skipped << "\">\n";
  for (const ScenarioChecks& s : scenarios) {
    const std::string file = xml_escape(s.file);
    int suite_failures = 0, suite_skipped = 0;
    for (const CheckOutcome& o : s.outcomes) {
      suite_failures += !o.passed && !o.skipped ? 1 : 0;
      suite_skipped += o.skipped ? 1 : 0;
    }
    out << "  <testsuite name=\"" << file << "\" tests=\"" << (s.error.empty() ? s.outcomes.size() : 1)
        << "\" failures=\"" << suite_failures << "\" errors=\"" << (s.error.empty() ? 0 : 1) << "\" skipped=\""
        << suite_skipped << "\">\n";
    if (!s.error.empty()) {
      out << "    <testcase classname=\"" << file << "\" name=\"load and run\">\n";
      out << "      <error message=\"" << xml_escape(s.error) << "\"/>\n";
      out << "    </testcase>\n";
    }
    for (const CheckOutcome& o : s.outcomes) {
      const MetricUnit unit = metric_catalog()[o.expectation.index].unit;
      out << "    <testcase classname=\"" << file << "\" name=\"" << xml_escape(o.expectation.metric) << "\">\n";
      std::string detail = "expected " + o.wanted + ", actual " + format_figure(o.actual, unit);
      if (!o.unevaluated.empty()) detail += "; not evaluated: " + o.unevaluated;
      if (o.skipped) {
        out << "      <skipped message=\"" << xml_escape(detail) << "\"/>\n";
      } else if (!o.passed) {
        out << "      <failure message=\"" << xml_escape(detail) << "\">" << xml_escape(to_string(o.expectation.pos))
            << "</failure>\n";
      }
      out << "    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace shardsim::report
