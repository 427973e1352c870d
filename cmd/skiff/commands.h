// Subcommands of the skiff binary; each returns the process exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace skiff::cmd {

struct ServerFlags {
  std::string data_dir;  // default: /var/lib/skiff as root, else ~/.local/share/skiff
  std::string bind = "127.0.0.1";
  int port = 6443;
  std::string store = "sqlite";  // sqlite | memory
  std::string log_level = "info";
};

void AddServerFlags(CLI::App& app, ServerFlags& flags);
int RunServer(const ServerFlags& flags);
int RunVersion();

}  // namespace skiff::cmd
