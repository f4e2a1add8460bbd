// What the benches share on their command line: parse with CLI11 as sftx does, --help exits 0,
// a usage error exits 2 (sftx's code for it) after CLI11 has printed the reason.
#pragma once

#include <cstdlib>

#include <CLI/CLI.hpp>

inline void parse_or_exit(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e) == 0 ? 0 : 2);
  }
}
