// Command-line flags for `stela` subcommands. Every flag `--some-name` can also be given as the
// environment variable `STELA_SOME_NAME`; the command line wins.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stela/common/status.h"

namespace stela::api {

struct FlagSpec {
  std::string_view name;  // without dashes: "analyzer"
  bool takes_value = true;
  std::string_view help;
};

// Returns the value of an environment variable, or nullopt.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
EnvLookup ProcessEnv();

// Immutable after Parse.
class Flags {
 public:
  // Parses `args` (the words after the subcommand). `--name value`, `--name=value`, boolean
  // `--name`; `--` ends the flags. Returns InvalidArgument for an unknown flag or a missing value.
  static StatusOr<Flags> Parse(std::span<const std::string> args, std::span<const FlagSpec> specs,
                               EnvLookup env);

  // The flag's value from the command line, else from STELA_<NAME>, else nullopt.
  std::optional<std::string> Get(std::string_view name) const;
  // True if a boolean flag was given (or its variable is "1"/"true").
  bool IsSet(std::string_view name) const;
  const std::vector<std::string>& positional() const { return positional_; }

  // "STELA_" + upper-cased name with '-' as '_'.
  static std::string EnvName(std::string_view name);

 private:
  std::map<std::string, std::string, std::less<>> values_;
  std::vector<std::string> positional_;
  EnvLookup env_;
};

// One line per flag: "  --name VALUE   help (env STELA_NAME)".
std::string FlagsHelp(std::span<const FlagSpec> specs);

}  // namespace stela::api
