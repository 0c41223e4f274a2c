#pragma once
// Shared between the rclone_command translation units; not part of the public API.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <coltec/rclone_command.hpp>

namespace coltec::rclone_detail {

/// A value with ${VAR} / $VAR replaced, and the names of the variables it used.
struct Expanded {
  std::string value;
  std::vector<std::string> vars;
};

/// Expand ${VAR}, $VAR and "$$" (a literal '$'). A '$' not followed by a name stays as is.
/// Fails on an unset or empty variable, an unterminated "${" or a bad name in "${…}".
Result<Expanded> expand_vars(std::string_view text, const EnvMap& env);

/// Names referenced by ${VAR} / $VAR in `text`, whether or not they are set.
std::vector<std::string> referenced_vars(std::string_view text);

/// True when a key or variable name suggests a credential (key, secret, pass, token, …).
bool looks_secret(std::string_view name);

/// RCLONE_CONFIG_<NAME>_<KEY> variables for a legacy remote, as lower-cased key -> value.
/// _TYPE is left out: the spec's type is what the planner chose flags for.
std::map<std::string, std::string> legacy_env_options(const std::string& remote_name,
                                                      const EnvMap& env);

/// An argument rclone must not read as a flag ("-x" becomes "./-x").
std::string positional_arg(const std::string& arg);

/// --config, JSON logging with stats, short network timeouts: what every command carries.
void add_common_flags(std::vector<std::string>& args, const RunContext& ctx);

/// The Invocation for `args`: the child's environment and the redacted text.
Invocation finish_invocation(std::vector<std::string> args, const RunContext& ctx,
                             const EnvMap& daemon_env);

}  // namespace coltec::rclone_detail
