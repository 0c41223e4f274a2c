// The real inotify calls, kept alone so every other part of the watcher can be driven by
// a fake in tests.

#include <cerrno>
#include <memory>
#include <string>

#include <sys/inotify.h>
#include <unistd.h>

#include <coltec/watcher.hpp>

namespace coltec {
namespace {

class SystemInotifyApi final : public InotifyApi {
 public:
  int init() override {
    const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    return fd >= 0 ? fd : -errno;
  }

  int add_watch(int fd, const std::string& path, std::uint32_t mask) override {
    const int wd = inotify_add_watch(fd, path.c_str(), mask);
    return wd >= 0 ? wd : -errno;
  }

  int remove_watch(int fd, int wd) override { return inotify_rm_watch(fd, wd) == 0 ? 0 : -errno; }
};

}  // namespace

std::unique_ptr<InotifyApi> make_system_inotify_api() {
  return std::make_unique<SystemInotifyApi>();
}

}  // namespace coltec
