// A strict checker for the Prometheus text exposition format 0.0.4, written here so the
// daemon's output is proven parseable without promtool. The checker is proven too: it must
// accept valid documents and reject each deliberately broken one.

#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <coltec/metrics.hpp>

namespace coltec {
namespace {

using Labels = std::map<std::string, std::string>;

struct Sample {
  std::string name;
  Labels labels;
  double value = 0;
};

struct Family {
  std::string type;
  bool help = false;
  std::vector<Sample> samples;
};

// Returns the first problem found ("line N: why"), or nullopt for a valid document.
class ExpositionChecker {
 public:
  std::optional<std::string> check(const std::string& text) {
    if (text.empty() || text.back() != '\n') return "document must end with a newline";
    std::size_t start = 0;
    for (std::size_t line_no = 1; start < text.size(); ++line_no) {
      const std::size_t end = text.find('\n', start);
      if (auto problem = line(text.substr(start, end - start))) {
        return "line " + std::to_string(line_no) + ": " + *problem;
      }
      start = end + 1;
    }
    return histograms();
  }

 private:
  using Problem = std::optional<std::string>;

  static bool metric_name(const std::string& s) {
    static const std::regex re("[a-zA-Z_:][a-zA-Z0-9_:]*");
    return std::regex_match(s, re);
  }
  static bool label_name(const std::string& s) {
    static const std::regex re("[a-zA-Z_][a-zA-Z0-9_]*");
    return std::regex_match(s, re) && s.rfind("__", 0) != 0;
  }
  static std::optional<double> number(const std::string& s) {
    if (s == "+Inf" || s == "Inf") return std::numeric_limits<double>::infinity();
    if (s == "-Inf") return -std::numeric_limits<double>::infinity();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    static const std::regex re(R"([-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?)");
    if (!std::regex_match(s, re)) return std::nullopt;
    return std::stod(s);
  }

  Problem line(const std::string& l) {
    if (l.empty()) return "empty line";
    if (l[0] == '#') return comment(l);
    return sample(l);
  }

  // A HELP or TYPE line may only open a family or add to the one being written.
  Problem comment(const std::string& l) {
    const bool help = l.rfind("# HELP ", 0) == 0;
    if (!help && l.rfind("# TYPE ", 0) != 0) return "comment other than HELP or TYPE";
    const std::size_t space = l.find(' ', 7);
    const std::string name = l.substr(7, space == std::string::npos ? space : space - 7);
    if (!metric_name(name)) return "bad metric name '" + name + "'";
    if (space == std::string::npos) return "missing text after the name";
    if (m_families.count(name) != 0 && m_current != name) return name + " is not grouped";
    Family& family = m_families[name];
    m_current = name;
    const std::string rest = l.substr(space + 1);
    if (help) {
      if (family.help) return "second HELP for " + name;
      family.help = true;
      for (std::size_t i = 0; i < rest.size(); ++i) {
        if (rest[i] != '\\') continue;
        if (i + 1 >= rest.size() || (rest[i + 1] != '\\' && rest[i + 1] != 'n')) {
          return "bad escape in HELP";
        }
        ++i;
      }
      return std::nullopt;
    }
    static const std::set<std::string> types{"counter", "gauge", "histogram", "summary", "untyped"};
    if (types.count(rest) == 0) return "unknown type '" + rest + "'";
    if (!family.type.empty()) return "second TYPE for " + name;
    family.type = rest;
    return std::nullopt;
  }

  // The family a sample belongs to: its own name, or a histogram/summary base name.
  std::optional<std::string> family_of(const std::string& name) const {
    if (const auto it = m_families.find(name); it != m_families.end() && !it->second.type.empty()) {
      return name;
    }
    for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
      if (name.size() <= suffix.size() ||
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
        continue;
      }
      const auto it = m_families.find(name.substr(0, name.size() - suffix.size()));
      if (it == m_families.end()) continue;
      if (it->second.type == "histogram") return it->first;
      if (it->second.type == "summary" && suffix != "_bucket") return it->first;
    }
    return std::nullopt;
  }

  static Problem labels(const std::string& l, std::size_t& pos, Labels& out) {
    ++pos;  // '{'
    while (pos < l.size() && l[pos] != '}') {
      const std::size_t eq = l.find('=', pos);
      if (eq == std::string::npos) return "label without '='";
      const std::string key = l.substr(pos, eq - pos);
      if (!label_name(key)) return "bad label name '" + key + "'";
      if (eq + 1 >= l.size() || l[eq + 1] != '"') return "label value not quoted";
      std::string value;
      std::size_t i = eq + 2;
      for (; i < l.size() && l[i] != '"'; ++i) {
        if (l[i] != '\\') {
          value += l[i];
          continue;
        }
        if (++i >= l.size()) return "unterminated escape";
        if (l[i] == 'n') {
          value += '\n';
        } else if (l[i] == '\\' || l[i] == '"') {
          value += l[i];
        } else {
          return "bad escape in label value";
        }
      }
      if (i >= l.size()) return "unterminated label value";
      if (!out.emplace(key, value).second) return "duplicate label " + key;
      pos = i + 1;
      if (pos < l.size() && l[pos] == ',') {
        ++pos;
      } else if (pos >= l.size() || l[pos] != '}') {
        return "labels not separated by ','";
      }
    }
    if (pos >= l.size()) return "unterminated label set";
    ++pos;  // '}'
    return std::nullopt;
  }

  Problem sample(const std::string& l) {
    std::size_t pos = l.find_first_of("{ ");
    if (pos == std::string::npos) return "sample without value";
    Sample s;
    s.name = l.substr(0, pos);
    if (!metric_name(s.name)) return "bad metric name '" + s.name + "'";
    if (l[pos] == '{') {
      if (auto problem = labels(l, pos, s.labels)) return problem;
    }
    if (pos >= l.size() || l[pos] != ' ') return "no single space before the value";
    const std::string rest = l.substr(pos + 1);
    const std::size_t space = rest.find(' ');
    const auto value = number(rest.substr(0, space));
    if (!value) return "bad value '" + rest.substr(0, space) + "'";
    s.value = *value;
    static const std::regex timestamp("-?[0-9]+");
    if (space != std::string::npos && !std::regex_match(rest.substr(space + 1), timestamp)) {
      return "bad timestamp";
    }
    return add(std::move(s));
  }

  Problem add(Sample s) {
    const auto family_name = family_of(s.name);
    if (!family_name) return "no TYPE before " + s.name;
    if (*family_name != m_current) return *family_name + " is not grouped";
    Family& family = m_families[*family_name];
    if (family.type == "counter") {
      if (s.name.size() < 6 || s.name.compare(s.name.size() - 6, 6, "_total") != 0) {
        return "counter " + s.name + " does not end in _total";
      }
      if (!(s.value >= 0)) return "counter " + s.name + " is negative or NaN";
    }
    const bool bucket = family.type == "histogram" && s.name == *family_name + "_bucket";
    if (bucket != (s.labels.count("le") != 0)) return "le label misplaced on " + s.name;
    std::string key = s.name;
    for (const auto& [k, v] : s.labels) {
      key += '\0';
      key += k;
      key += '\0';
      key += v;
    }
    if (!m_series.insert(key).second) return "duplicate series " + s.name;
    family.samples.push_back(std::move(s));
    return std::nullopt;
  }

  // Buckets of one series: increasing le, cumulative counts, ending in +Inf == _count.
  Problem histograms() const {
    for (const auto& [name, family] : m_families) {
      if (family.type != "histogram") continue;
      std::map<Labels, std::vector<std::pair<double, double>>> buckets;
      std::map<Labels, double> counts;
      std::set<Labels> sums;
      for (const auto& s : family.samples) {
        Labels base = s.labels;
        if (s.name == name + "_bucket") {
          const auto le = number(base["le"]);
          if (!le) return "bad le in " + name;
          base.erase("le");
          buckets[base].emplace_back(*le, s.value);
        } else if (s.name == name + "_count") {
          counts[base] = s.value;
        } else if (s.name == name + "_sum") {
          sums.insert(base);
        } else {
          return "histogram " + name + " has a plain sample";
        }
      }
      for (const auto& [base, list] : buckets) {
        for (std::size_t i = 1; i < list.size(); ++i) {
          if (!(list[i].first > list[i - 1].first)) return name + ": le not increasing";
          if (list[i].second < list[i - 1].second) return name + ": buckets not cumulative";
        }
        if (!std::isinf(list.back().first)) return name + ": no +Inf bucket";
        if (counts.count(base) == 0 || sums.count(base) == 0) return name + ": no _sum/_count";
        if (counts.at(base) != list.back().second) return name + ": +Inf bucket != _count";
      }
      if (counts.size() != buckets.size() || sums.size() != buckets.size()) {
        return name + ": _sum/_count without buckets";
      }
    }
    return std::nullopt;
  }

  std::map<std::string, Family> m_families;
  std::set<std::string> m_series;
  std::string m_current;
};

std::optional<std::string> check(const std::string& text) {
  return ExpositionChecker().check(text);
}

Metrics busy_metrics() {
  Metrics metrics;
  metrics.set_build_info("0.1.0", "rclone \"v1.60.1\"\n\\");
  metrics.set_watches(7);
  RunReport ok;
  ok.files = 4;
  ok.bytes = 1 << 20;
  ok.duration = std::chrono::milliseconds(2500);
  metrics.record_run("code", ok, 1700000000.25);
  RunReport refused;
  refused.outcome = Outcome::refused;
  metrics.record_run("we\"ird\\name\n\xFF", refused, 1700000001);
  metrics.record_retry("code");
  ActionStatus status;
  status.name = "idle";
  status.pending_changes = true;
  metrics.set_actions_status({status});
  return metrics;
}

TEST(ExpositionCheckerTest, AcceptsOurOutput) {
  EXPECT_EQ(check(busy_metrics().render()), std::nullopt);
  EXPECT_EQ(check(Metrics().render()), std::nullopt);
}

TEST(ExpositionCheckerTest, AcceptsOtherValidForms) {
  const std::string text =
      "# TYPE x_total counter\n"
      "x_total{a=\"1\",b=\"q\\\"\\\\\\n\"} 1.5e3 1700000000000\n"
      "x_total{a=\"2\"} +Inf -5\n"
      "# HELP s A \\\\ summary\\n.\n"
      "# TYPE s summary\n"
      "s{quantile=\"0.5\"} NaN\n"
      "s_sum .5\n"
      "s_count 3\n"
      "# TYPE u untyped\n"
      "u -1\n"
      "# TYPE h histogram\n"
      "h_bucket{le=\"1\"} 0\n"
      "h_bucket{le=\"+Inf\"} 0\n"
      "h_sum 0\n"
      "h_count 0\n";
  EXPECT_EQ(check(text), std::nullopt);
}

struct Broken {
  const char* why;
  const char* reason;  // part of the problem the checker must report
  const char* text;
};

TEST(ExpositionCheckerTest, RejectsBrokenDocuments) {
  const std::vector<Broken> cases{
      {"no final newline", "end with a newline", "# TYPE g gauge\ng 1"},
      {"empty line", "empty line", "# TYPE g gauge\n\ng 1\n"},
      {"free comment", "other than HELP", "# hello\n# TYPE g gauge\ng 1\n"},
      {"bad metric name", "bad metric name", "# TYPE 1g gauge\n1g 1\n"},
      {"bad label name", "bad label name", "# TYPE g gauge\ng{1a=\"x\"} 1\n"},
      {"reserved label name", "bad label name", "# TYPE g gauge\ng{__a=\"x\"} 1\n"},
      {"bad escape", "bad escape in label", "# TYPE g gauge\ng{a=\"\\t\"} 1\n"},
      {"bad HELP escape", "bad escape in HELP", "# HELP g a \\\" b\n# TYPE g gauge\ng 1\n"},
      {"unterminated value", "unterminated label value", "# TYPE g gauge\ng{a=\"x} 1\n"},
      {"unquoted value", "not quoted", "# TYPE g gauge\ng{a=x} 1\n"},
      {"duplicate label", "duplicate label", "# TYPE g gauge\ng{a=\"1\",a=\"2\"} 1\n"},
      {"no TYPE", "no TYPE", "g 1\n"},
      {"HELP but no TYPE", "no TYPE", "# HELP g x\ng 1\n# TYPE g gauge\n"},
      {"missing comma", "not separated", "# TYPE g gauge\ng{a=\"1\"b=\"2\"} 1\n"},
      {"second TYPE", "second TYPE", "# TYPE g gauge\n# TYPE g gauge\ng 1\n"},
      {"second HELP", "second HELP", "# HELP g x\n# HELP g y\n# TYPE g gauge\ng 1\n"},
      {"unknown type", "unknown type", "# TYPE g gauges\ng 1\n"},
      {"duplicate series", "duplicate series", "# TYPE g gauge\ng{a=\"1\"} 1\ng{a=\"1\"} 2\n"},
      {"not grouped", "not grouped",
       "# TYPE g gauge\ng{a=\"1\"} 1\n# TYPE f gauge\nf 1\ng{a=\"2\"} 1\n"},
      {"bad value", "bad value", "# TYPE g gauge\ng 1.2.3\n"},
      {"trailing space", "bad timestamp", "# TYPE g gauge\ng 1 \n"},
      {"two spaces", "bad value", "# TYPE g gauge\ng  1\n"},
      {"bad timestamp", "bad timestamp", "# TYPE g gauge\ng 1 1.5\n"},
      {"counter without _total", "does not end in _total", "# TYPE c counter\nc 1\n"},
      {"negative counter", "negative", "# TYPE c_total counter\nc_total -1\n"},
      {"not cumulative", "not cumulative",
       "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"},
      {"le not increasing", "le not increasing",
       "# TYPE h histogram\nh_bucket{le=\"5\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\n"
       "h_sum 1\nh_count 1\n"},
      {"no +Inf", "no +Inf", "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n"},
      {"+Inf != count", "!= _count",
       "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n"},
      {"no _sum", "no _sum", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n"},
      {"bucket without le", "le label misplaced",
       "# TYPE h histogram\nh_bucket 1\nh_sum 1\nh_count 1\n"},
      {"plain histogram sample", "plain sample", "# TYPE h histogram\nh 1\n"},
  };
  for (const auto& c : cases) {
    const auto problem = check(c.text);
    ASSERT_TRUE(problem.has_value()) << c.why << " was accepted";
    EXPECT_NE(problem->find(c.reason), std::string::npos) << c.why << ": " << *problem;
  }
}

// Our output, broken in small ways, must fail: the checker looks at what we really emit.
TEST(ExpositionCheckerTest, RejectsOurOutputOnceBroken) {
  const std::string good = busy_metrics().render();
  const auto broken = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return check(text.replace(at, from.size(), to));
  };
  EXPECT_TRUE(broken("le=\"+Inf\"} 1", "le=\"+Inf\"} 2"));
  EXPECT_TRUE(broken("le=\"1\"} 0", "le=\"1\"} 9"));
  EXPECT_TRUE(broken("# TYPE coltec_watches gauge\n", ""));
  EXPECT_TRUE(broken("\\\"v1.60.1\\\"", "\"v1.60.1\""));
  EXPECT_TRUE(
      broken("coltec_retries_total{action=\"code\"} 1\n",
             "coltec_retries_total{action=\"code\"} 1\ncoltec_retries_total{action=\"code\"} 1\n"));
}

}  // namespace
}  // namespace coltec
