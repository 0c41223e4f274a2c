#include <array>
#include <utility>

#include <coltec/spec.hpp>

namespace coltec {
namespace {

// One spelling table per enum keeps to_string and parse in step.
template <typename E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<const char*, E>, N>& table,
                        const std::string& text) {
  for (const auto& [name, value] : table) {
    if (text == name) return value;
  }
  return std::nullopt;
}

template <typename E, std::size_t N>
const char* name_of(const std::array<std::pair<const char*, E>, N>& table, E value) {
  for (const auto& [name, v] : table) {
    if (v == value) return name;
  }
  return "?";
}

// The first spelling of each value is the canonical one.
constexpr std::array<std::pair<const char*, Direction>, 5> k_directions{{
    {"bidirectional", Direction::bidirectional},
    {"push-only", Direction::push_only},
    {"pull-only", Direction::pull_only},
    {"push_only", Direction::push_only},
    {"pull_only", Direction::pull_only},
}};
constexpr std::array<std::pair<const char*, PersistenceMode>, 2> k_modes{{
    {"mounted", PersistenceMode::mounted},
    {"replicated", PersistenceMode::replicated},
}};
constexpr std::array<std::pair<const char*, PersistenceScope>, 2> k_scopes{{
    {"project", PersistenceScope::project},
    {"environment", PersistenceScope::environment},
}};
constexpr std::array<std::pair<const char*, MountType>, 4> k_mount_types{{
    {"bind", MountType::bind},
    {"volume", MountType::volume},
    {"tmpfs", MountType::tmpfs},
    {"symlink", MountType::symlink},
}};
constexpr std::array<std::pair<const char*, FilenameEncryption>, 3> k_encryptions{{
    {"standard", FilenameEncryption::standard},
    {"obfuscate", FilenameEncryption::obfuscate},
    {"off", FilenameEncryption::off},
}};

}  // namespace

const char* to_string(Direction d) {
  return name_of(k_directions, d);
}
const char* to_string(PersistenceMode m) {
  return name_of(k_modes, m);
}
const char* to_string(PersistenceScope s) {
  return name_of(k_scopes, s);
}
const char* to_string(MountType t) {
  return name_of(k_mount_types, t);
}
const char* to_string(FilenameEncryption e) {
  return name_of(k_encryptions, e);
}

std::optional<Direction> parse_direction(const std::string& text) {
  return lookup(k_directions, text);
}
std::optional<PersistenceMode> parse_persistence_mode(const std::string& text) {
  return lookup(k_modes, text);
}
std::optional<PersistenceScope> parse_persistence_scope(const std::string& text) {
  return lookup(k_scopes, text);
}
std::optional<MountType> parse_mount_type(const std::string& text) {
  return lookup(k_mount_types, text);
}
std::optional<FilenameEncryption> parse_filename_encryption(const std::string& text) {
  return lookup(k_encryptions, text);
}

}  // namespace coltec
