#include <algorithm>
#include <array>

#include <nlohmann/json.hpp>

#include <coltec/rclone_output.hpp>

namespace coltec {
namespace {

bool contains(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

template <std::size_t N>
bool contains_any(std::string_view text, const std::array<std::string_view, N>& needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view n) { return contains(text, n); });
}

std::uint64_t as_u64(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  const double v = it->get<double>();
  return v > 0 ? static_cast<std::uint64_t>(v) : 0;
}

double as_double(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string as_string(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

nlohmann::json parse_object(std::string_view line) {
  if (line.empty() || line.front() != '{') return nullptr;
  auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : nlohmann::json(nullptr);
}

constexpr std::array<std::string_view, 10> k_network{
    "connection refused", "connection reset", "i/o timeout",   "no such host",
    "RequestError",       "dial tcp",         "TLS handshake", "context deadline exceeded",
    "broken pipe",        "unexpected EOF"};
constexpr std::array<std::string_view, 4> k_usage{"unknown flag", "unknown command",
                                                  "arguments minimum", "unknown shorthand flag"};
constexpr std::array<std::string_view, 4> k_auth{"InvalidAccessKeyId", "SignatureDoesNotMatch",
                                                 "AccessDenied", "status code: 403"};

}  // namespace

RcloneLine parse_rclone_line(std::string_view line) {
  RcloneLine out;
  const auto j = parse_object(line);
  if (j.is_null()) {
    out.msg = std::string(line);
    return out;
  }
  out.json = true;
  out.level = as_string(j, "level");
  out.msg = as_string(j, "msg");
  out.object = as_string(j, "object");
  out.has_stats = j.contains("stats");
  return out;
}

std::optional<RcloneStats> parse_rclone_stats(std::string_view line) {
  const auto j = parse_object(line);
  if (j.is_null()) return std::nullopt;
  const auto it = j.find("stats");
  if (it == j.end() || !it->is_object()) return std::nullopt;
  const auto& s = *it;
  RcloneStats st;
  st.bytes = as_u64(s, "bytes");
  st.total_bytes = as_u64(s, "totalBytes");
  st.transfers = as_u64(s, "transfers");
  st.total_transfers = as_u64(s, "totalTransfers");
  st.deletes = as_u64(s, "deletes");
  st.checks = as_u64(s, "checks");
  st.errors = as_u64(s, "errors");
  st.speed = as_double(s, "speed");
  st.eta_seconds = as_double(s, "eta");
  return st;
}

void observe_rclone_line(RcloneRunFacts& f, const RcloneLine& line) {
  const std::string_view m = line.msg;
  if (contains(m, "Must run --resync")) f.must_resync = true;
  if (contains(m, "Please try again") || contains(m, "prior lock file found")) f.try_again = true;
  if (contains(m, "Safety abort") || contains(m, "--max-delete threshold reached")) {
    f.safety_abort = true;
  }
  if (contains_any(m, k_network)) f.network_error = true;
  if (contains_any(m, k_usage)) f.usage_error = true;
  if (contains_any(m, k_auth)) f.auth_error = true;
  const bool is_error =
      line.json ? line.level == "error"
                : (contains(m, "ERROR") || contains(m, "Failed to") || contains(m, "Error:"));
  if (is_error && !m.empty()) f.last_error = std::string(m.substr(0, 500));
}

RcloneFailure classify_rclone_run(const RcloneRunFacts& f) {
  if (f.term_signal != 0) return RcloneFailure::killed;
  if (f.exit_code == 0 || f.exit_code == 9) return RcloneFailure::none;
  if (f.must_resync) return RcloneFailure::needs_resync;
  if (f.safety_abort) return RcloneFailure::refused;
  if (f.usage_error || f.auth_error) return RcloneFailure::fatal;
  switch (f.exit_code) {
    case 5:  // temporary error (rclone's own classification)
    case 8:  // transfer limit reached
      return RcloneFailure::temporary;
    case 1:  // 1.60 reports refused connections and bisync "try again" as 1
    case 2:
    case 3:
    case 6:
      return f.network_error || f.try_again ? RcloneFailure::temporary : RcloneFailure::fatal;
    default:
      return RcloneFailure::fatal;
  }
}

const char* to_string(RcloneFailure failure) {
  switch (failure) {
    case RcloneFailure::none:
      return "ok";
    case RcloneFailure::temporary:
      return "temporary";
    case RcloneFailure::needs_resync:
      return "needs-resync";
    case RcloneFailure::refused:
      return "refused";
    case RcloneFailure::fatal:
      return "failed";
    case RcloneFailure::killed:
      return "killed";
    case RcloneFailure::deferred:
      return "deferred";
  }
  return "?";
}

}  // namespace coltec
