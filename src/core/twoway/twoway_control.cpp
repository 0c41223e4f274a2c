// The shared control folder: generations and claims, read from a listing.

#include <algorithm>
#include <charconv>

#include <coltec/twoway_control.hpp>

namespace coltec {
namespace {

constexpr std::string_view k_gen_prefix = "gen-";
constexpr std::string_view k_claim_prefix = "lease-";
constexpr std::size_t k_expiry_digits = 12;

std::optional<Claim> parse_claim(const std::string& name) {
  std::string_view rest(name);
  if (!rest.starts_with(k_claim_prefix)) return std::nullopt;
  rest.remove_prefix(k_claim_prefix.size());
  if (rest.size() <= k_expiry_digits + 1 || rest[k_expiry_digits] != '-') return std::nullopt;
  Claim c;
  const auto digits = rest.substr(0, k_expiry_digits);
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), c.expiry);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  c.owner = std::string(rest.substr(k_expiry_digits + 1));
  c.name = name;
  return c;
}

bool valid(const Claim& c, std::int64_t now) {
  return c.expiry > now;
}

}  // namespace

ControlState parse_control(const std::vector<ListedEntry>& entries) {
  ControlState s;
  for (const auto& e : entries) {
    if (e.is_dir || e.path.find('/') != std::string::npos) continue;
    if (e.path.starts_with(k_gen_prefix) && e.path.size() > k_gen_prefix.size()) {
      s.generations.push_back(e.path);
    } else if (auto claim = parse_claim(e.path)) {
      s.claims.push_back(std::move(*claim));
    }
  }
  std::sort(s.generations.begin(), s.generations.end());
  std::sort(s.claims.begin(), s.claims.end(),
            [](const Claim& a, const Claim& b) { return a.name < b.name; });
  return s;
}

std::string generation_of(const ControlState& state) {
  std::string out;
  for (const auto& g : state.generations) out += (out.empty() ? "" : ",") + g;
  return out;
}

std::string generation_name(const std::string& id) {
  return std::string(k_gen_prefix) + id;
}

std::string claim_name(std::int64_t expiry, const std::string& owner) {
  auto digits = std::to_string(expiry < 0 ? 0 : expiry);
  if (digits.size() < k_expiry_digits) digits.insert(0, k_expiry_digits - digits.size(), '0');
  return std::string(k_claim_prefix) + digits + "-" + owner;
}

Turn whose_turn(const ControlState& state, const std::string& owner, std::int64_t now) {
  for (const auto& c : state.claims) {  // sorted: the first valid claim decides
    if (valid(c, now)) return c.owner == owner ? Turn::mine : Turn::other;
  }
  return Turn::free;
}

Turn turn_after_claiming(const ControlState& state, const std::string& owner, std::int64_t now) {
  bool ours = false;
  for (const auto& c : state.claims) {
    if (!valid(c, now)) continue;
    if (c.owner != owner) return Turn::other;
    ours = true;
  }
  return ours ? Turn::mine : Turn::free;
}

std::optional<Claim> first_other_claim(const ControlState& state, const std::string& owner,
                                       std::int64_t now) {
  for (const auto& c : state.claims) {
    if (valid(c, now) && c.owner != owner) return c;
  }
  return std::nullopt;
}

std::vector<std::string> release_names(const ControlState& state, const std::string& owner,
                                       const std::vector<std::string>& old_generations) {
  std::vector<std::string> names = old_generations;
  for (const auto& c : state.claims) {
    if (c.owner == owner) names.push_back(c.name);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace coltec
