// `skiff image import|ls|rm`: the node's image store (<data-dir>/images), the one the agent
// runs containers from. Works beside a running agent: the store serialises through a file lock.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cmd/skiff/commands.h"
#include "skiff/agent/images/digest.h"
#include "skiff/agent/images/image_store.h"
#include "skiff/agent/images/reference.h"

namespace skiff::cmd {

namespace {

// The same default as `skiff server` and `skiff agent`.
std::string ImageRoot(const ImageFlags& flags) {
  std::string dir = flags.data_dir;
  if (dir.empty()) {
    const char* home = std::getenv("HOME");
    dir = ::geteuid() == 0 ? "/var/lib/skiff"
                           : std::string(home ? home : ".") + "/.local/share/skiff";
  }
  return dir + "/images";
}

std::string HumanSize(int64_t bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f%s" : "%.3g%s", v, units[u]);
  return buf;
}

int Fail(const absl::Status& s) {
  std::cerr << "skiff image: " << s.message() << "\n";
  return 1;
}

int List(agent::images::ImageStore& store, bool quiet) {
  auto images = store.List();
  if (!images.ok()) return Fail(images.status());
  if (quiet) {
    for (const auto& img : *images) {
      std::cout << agent::images::DigestHex(img.config_digest).substr(0, 13) << "\n";
    }
    return 0;
  }
  std::printf("%-50s %-12s %-14s %s\n", "IMAGE", "TAG", "IMAGE ID", "SIZE");
  for (const auto& img : *images) {
    auto ref = agent::images::ParseReference(img.name);
    std::string repo = ref.ok() ? ref->Name() : img.name;
    std::string tag = ref.ok() && !ref->tag.empty() ? ref->tag : "<none>";
    std::string id(agent::images::DigestHex(img.config_digest).substr(0, 13));
    std::printf("%-50s %-12s %-14s %s\n", repo.c_str(), tag.c_str(), id.c_str(),
                HumanSize(img.size).c_str());
  }
  return 0;
}

}  // namespace

void AddImageCommands(CLI::App& app, ImageFlags& flags) {
  app.require_subcommand(1);
  app.add_option("--data-dir", flags.data_dir,
                 "Node data directory (default /var/lib/skiff as root); images live in its "
                 "images/ folder");
  CLI::App* import = app.add_subcommand("import", "Import an OCI layout or docker-archive tarball");
  import->add_option("file", flags.file, "The tarball (docker save, skopeo copy ...)")->required();
  import->add_option("--name", flags.name, "Name for the image when the tarball has none");
  import->callback([&flags] { flags.action = "import";
});
CLI::App* ls = app.add_subcommand("ls", "List images");
ls->alias("list");
ls->add_flag("-q,--quiet", flags.quiet, "Only image IDs");
ls->callback([&flags] { flags.action = "ls"; });
CLI::App* rm = app.add_subcommand("rm", "Remove images by name or ID");
rm->alias("rmi");
rm->add_option("images", flags.refs, "Image names or IDs")->required();
rm->callback([&flags] { flags.action = "rm"; });
}  // namespace skiff::cmd

int RunImage(const ImageFlags& flags) {
  auto store = agent::images::ImageStore::Open(ImageRoot(flags));
  if (!store.ok()) return Fail(store.status());
  if (flags.action == "import") {
    auto names = (*store)->Import(flags.file, flags.name);
    if (!names.ok()) return Fail(names.status());
    for (const std::string& n : *names) {
      auto img = (*store)->Resolve(n);
      std::cout << "imported " << n;
      if (img.ok()) std::cout << " (" << img->config_digest << ")";
      std::cout << "\n";
    }
    return 0;
  }
  if (flags.action == "ls") return List(**store, flags.quiet);
  int rc = 0;
  for (const std::string& ref : flags.refs) {
    auto removed = (*store)->Remove(ref);
    if (!removed.ok()) {
      rc = Fail(removed.status());
      continue;
    }
    for (const std::string& n : *removed) std::cout << "Deleted: " << n << "\n";
  }
  return rc;
}

}  // namespace skiff::cmd
