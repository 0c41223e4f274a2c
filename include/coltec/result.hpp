#pragma once
// A small project-owned Result<T>. g++ 12 has std::expected only under -std=c++2b and
// clang-tidy 14 cannot parse libstdc++'s <expected>, so we keep our own; switching later
// is a one-line change of this alias.

#include <string>
#include <utility>
#include <variant>

namespace coltec {

/// An expected failure: a sentence a person can act on.
struct Error {
  std::string message;
  bool operator==(const Error&) const = default;
};

/// Either a value of T or an Error. Pure code returns this and never throws.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_v(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : m_v(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  /// True when a value is held.
  bool ok() const { return m_v.index() == 0; }
  explicit operator bool() const { return ok(); }

  /// The value; only call when ok().
  const T& value() const& { return std::get<0>(m_v); }
  T& value() & { return std::get<0>(m_v); }
  T&& value() && { return std::get<0>(std::move(m_v)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }

  /// The error; only call when !ok().
  const Error& error() const { return std::get<1>(m_v); }

 private:
  std::variant<T, Error> m_v;
};

/// Result of an operation that yields nothing on success.
struct Unit {
  bool operator==(const Unit&) const = default;
};
using Status = Result<Unit>;

/// Shorthand for a failed Result.
inline Error make_error(std::string message) {
  return Error{std::move(message)};
}

}  // namespace coltec
