#pragma once
// Text helpers shared by the pure modules and the shell: UTF-8 (one validator, one decoder),
// byte counts for people, and the one redactor every log line and shown command passes
// through.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace coltec {

/// Length (1-4) of the well-formed UTF-8 sequence that starts at text[i], or 0 when the
/// bytes there are not one: a stray continuation byte, a truncated sequence, an overlong
/// form, a surrogate, or a code point past U+10FFFF. `i` must be < text.size().
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

/// The code points of `text`. A byte that does not start a well-formed sequence becomes the
/// lone surrogate U+DC00 + byte (as Python's "surrogateescape"), which no well-formed text
/// decodes to: malformed bytes survive and compare equal only to the same bytes, and an
/// overlong form never turns into the character it imitates (0xC0 0xAF is not '/').
std::u32string decode_utf8(std::string_view text);

/// Whether `cp` is what decode_utf8 makes of a byte that starts no well-formed sequence.
constexpr bool is_undecodable_byte(char32_t cp) {
  return cp >= 0xDC80 && cp <= 0xDCFF;
}

/// Append the UTF-8 form of `cp` (at most U+10FFFF) to `out`.
void append_utf8(std::string& out, char32_t cp);

/// A byte count for people, binary units with one decimal from 1 KiB on: "0 B", "1023 B",
/// "1.0 KiB", "3.1 MiB", … up to "16.0 EiB". Never shows "1024.0" of a unit.
std::string human_bytes(std::uint64_t bytes);

/// A UTC time as "YYYYMMDDTHHMMSSZ" (conflict copy names, backup folders): pure calendar
/// arithmetic, so the caller's clock decides what "now" is.
std::string utc_stamp(std::int64_t unix_seconds);

/// What replaces a secret in redacted text.
inline constexpr std::string_view k_redaction_mask = "***";

/// Hides secret values in text (invariant 2: no credential in any log line or shown
/// command). Every non-empty secret is masked wherever it occurs, however short: a one- or
/// two-character secret then masks unrelated text too, which is the price of never showing
/// it. Longer secrets are replaced first, so a secret that contains another is hidden whole.
class Redactor {
 public:
  Redactor() = default;
  /// Empty values are dropped and duplicates merged.
  explicit Redactor(std::vector<std::string> secrets);
  /// `text` with every occurrence of every secret replaced by k_redaction_mask.
  std::string apply(std::string text) const;
  /// The secrets, longest first.
  const std::vector<std::string>& secrets() const { return m_secrets; }
  /// A secret shorter than `length` characters (callers warn: it masks unrelated text).
  bool has_secret_shorter_than(std::size_t length) const;

 private:
  std::vector<std::string> m_secrets;
};

/// Redactor(secrets).apply(text).
std::string redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace coltec
