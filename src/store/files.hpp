// Low-level file operations of the task store: atomic replacement (temporary file in the
// same folder, fsync, rename, fsync of the folder) written at once or streamed, private
// folders, whole-file reads and an exclusive advisory lock. Failures throw core::Error
// naming the path.
#pragma once

#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace sw::store {

// How far a committed file is protected against a crash of the machine.
enum class Durability {
  synced,  // file and folder synced: after a power loss it is the new content or the old one
  // Not synced (no wait for the disk): after a power loss it may be missing, empty or torn.
  // Only for a file that its readers check and rebuild (the results index).
  checked_by_readers,
};

// Replaces a file so that a reader or a crash sees the old file or the whole new one, never
// a mix: the bytes go to a temporary file (mode 0600) in the destination's folder; commit()
// fsyncs it, renames it over the destination and fsyncs the folder (no syncs when told
// Durability::checked_by_readers). A writer destroyed before commit() removes its temporary
// file. Blocking calls: keep them off an event loop.
class AtomicFileWriter {
 public:
  // Creates the temporary file; throws core::Error naming it when it cannot.
  explicit AtomicFileWriter(std::filesystem::path destination);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void append(std::string_view bytes);
  // Makes the appended bytes the destination's content (to readers, at once and whole).
  // Once only.
  void commit(Durability durability = Durability::synced);

 private:
  std::filesystem::path destination_;
  std::filesystem::path temporary_;
  int fd_ = -1;
  bool renamed_ = false;
};

// Replaces `path` with `content` through an AtomicFileWriter (mode 0600).
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// The whole file, or nullopt when it does not exist. A file over `max_bytes` is not read:
// core::Error(bad_input) names the path, its size and the limit.
std::optional<std::string> read_whole_file(const std::filesystem::path& path,
                                           std::size_t max_bytes = std::numeric_limits<std::size_t>::max());

// Creates `path` (and missing parents) with mode 0700; an existing folder is kept as it is.
void create_private_directory(const std::filesystem::path& path);

// An exclusive flock(2) on `path` (created 0600 when missing), held until destruction.
class FileLock {
 public:
  explicit FileLock(const std::filesystem::path& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace sw::store
