#pragma once
// The one place that wires concrete objects together.

namespace coltec {

/// Parse the command line, set up logging, run the chosen mode and return the process exit
/// code (see exit_code.hpp). Never throws: an escaped exception is logged and mapped to 2.
int run_app(int argc, char** argv);

}  // namespace coltec
