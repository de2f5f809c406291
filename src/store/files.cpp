// Atomic writes, private folders, file reads and file locks with POSIX calls.
#include "store/files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/errors.hpp"
#include "core/task_id.hpp"

namespace sw::store {

namespace {

[[noreturn]] void fail(const std::string& action, const std::filesystem::path& path, int error_number) {
  throw core::Error(core::ErrorKind::internal,
                    "cannot " + action + " " + path.string() + ": " + std::strerror(error_number));
}

// Closes a descriptor on scope exit.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }
  // Closes now and reports the result (close can report a delayed write error).
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

void write_all(int fd, std::string_view content, const std::filesystem::path& path) {
  while (!content.empty()) {
    const ssize_t written = ::write(fd, content.data(), content.size());
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      fail("write", path, errno);
    }
    content.remove_prefix(static_cast<std::size_t>(written));
  }
}

void sync_directory(const std::filesystem::path& directory) {
  Descriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) {
    fail("open folder", directory, errno);
  }
  if (::fsync(fd.get()) != 0) {
    fail("sync folder", directory, errno);
  }
}

std::filesystem::path folder_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::filesystem::path destination)
    : destination_(std::move(destination)),
      temporary_(folder_of(destination_) / ("." + destination_.filename().string() + ".tmp-" + core::random_hex(12))),
      fd_(::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) {
  if (fd_ < 0) {
    fail("create", temporary_, errno);
  }
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
  if (!renamed_) {
    ::unlink(temporary_.c_str());
  }
}

void AtomicFileWriter::append(std::string_view bytes) { write_all(fd_, bytes, temporary_); }

void AtomicFileWriter::commit(Durability durability) {
  const bool synced = durability == Durability::synced;
  if (synced && ::fsync(fd_) != 0) {
    fail("sync", temporary_, errno);
  }
  const int closed = ::close(fd_);
  fd_ = -1;
  if (closed != 0) {
    fail("close", temporary_, errno);
  }
  if (::rename(temporary_.c_str(), destination_.c_str()) != 0) {
    fail("rename to " + destination_.string(), temporary_, errno);
  }
  renamed_ = true;
  if (synced) sync_directory(folder_of(destination_));
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  AtomicFileWriter file(path);
  file.append(content);
  file.commit();
}

std::optional<std::string> read_whole_file(const std::filesystem::path& path, std::size_t max_bytes) {
  Descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      return std::nullopt;
    }
    fail("open", path, errno);
  }
  const auto refuse_size = [&](std::uintmax_t size) {
    throw core::Error(core::ErrorKind::bad_input, path.string() + " is " + std::to_string(size) +
                                                      " bytes, more than the " + std::to_string(max_bytes) +
                                                      " bytes such a file may hold; it was not read");
  };
  struct stat info {};
  if (::fstat(fd.get(), &info) == 0 && static_cast<std::uintmax_t>(info.st_size) > max_bytes) {
    refuse_size(static_cast<std::uintmax_t>(info.st_size));
  }
  std::string content;
  char buffer[65536];
  while (true) {
    const ssize_t count = ::read(fd.get(), buffer, sizeof buffer);
    if (count < 0) {
      if (errno == EINTR) {
        continue;
      }
      fail("read", path, errno);
    }
    if (count == 0) {
      return content;
    }
    if (content.size() + static_cast<std::size_t>(count) > max_bytes) {
      refuse_size(content.size() + static_cast<std::size_t>(count));  // it grew while being read
    }
    content.append(buffer, static_cast<std::size_t>(count));
  }
}

void create_private_directory(const std::filesystem::path& path) {
  if (::mkdir(path.c_str(), 0700) == 0) {
    return;
  }
  if (errno == EEXIST) {
    return;
  }
  if (errno == ENOENT && path.has_parent_path() && path.parent_path() != path) {
    create_private_directory(path.parent_path());
    if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) {
      return;
    }
  }
  fail("create folder", path, errno);
}

FileLock::FileLock(const std::filesystem::path& path)
    : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) {
  if (fd_ < 0) {
    fail("open lock file", path, errno);
  }
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno != EINTR) {
      const int error_number = errno;
      ::close(fd_);
      fail("lock", path, error_number);
    }
  }
}

FileLock::~FileLock() { ::close(fd_); }

}  // namespace sw::store
