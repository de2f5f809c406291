// Tests of atomic writes, private folders and file reads.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/errors.hpp"
#include "store/files.hpp"
#include "support/temp_dir.hpp"

namespace sw::store {
namespace {

unsigned mode_of(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 0777;
}

std::size_t entries_in(const std::filesystem::path& folder) {
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(folder)) {
    ++entries;
  }
  return entries;
}

TEST(Files, AtomicWriteReplacesAndLeavesNoTemporaryFile) {
  testing::TempDir dir;
  const auto path = dir.path() / "task.json";
  write_file_atomically(path, "first");
  write_file_atomically(path, "second");
  EXPECT_EQ(read_whole_file(path), "second");
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

// A streamed write: readers see the old file until commit(); the bytes wait in one hidden
// temporary file in the same folder, which the rename removes. The same for readers with
// or without the syncs (Durability::checked_by_readers only skips the waits for the disk).
TEST(Files, StreamedWriteReplacesTheFileOnlyAtCommit) {
  for (const Durability durability : {Durability::synced, Durability::checked_by_readers}) {
    SCOPED_TRACE(durability == Durability::synced ? "synced" : "checked_by_readers");
    testing::TempDir dir;
    const auto path = dir.path() / "scan_native.nessus";
    write_file_atomically(path, "old");
    AtomicFileWriter file(path);
    file.append("new ");
    file.append("content");
    EXPECT_EQ(read_whole_file(path), "old");
    EXPECT_EQ(entries_in(dir.path()), 2u);
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
      if (entry.path() != path) {
        EXPECT_TRUE(entry.path().filename().string().starts_with(".scan_native.nessus.tmp-")) << entry.path();
        EXPECT_EQ(mode_of(entry.path()), 0600u);
      }
    }
    file.commit(durability);
    EXPECT_EQ(read_whole_file(path), "new content");
    EXPECT_EQ(mode_of(path), 0600u);
    EXPECT_EQ(entries_in(dir.path()), 1u);
  }
}

TEST(Files, StreamedWriteAbandonedBeforeCommitLeavesTheOldFileAlone) {
  testing::TempDir dir;
  const auto path = dir.path() / "scan_native.nessus";
  write_file_atomically(path, "old");
  {
    AtomicFileWriter file(path);
    file.append("partial");
  }
  EXPECT_EQ(read_whole_file(path), "old");
  EXPECT_EQ(entries_in(dir.path()), 1u);
  { AtomicFileWriter unused(dir.path() / "never.nessus"); }
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(Files, ReadOfAMissingFileIsEmpty) {
  testing::TempDir dir;
  EXPECT_EQ(read_whole_file(dir.path() / "nope"), std::nullopt);
}

TEST(Files, WriteIntoAMissingFolderFailsNamingThePath) {
  testing::TempDir dir;
  try {
    write_file_atomically(dir.path() / "missing" / "task.json", "x");
    FAIL() << "expected an error";
  } catch (const core::Error& error) {
    EXPECT_NE(std::string(error.what()).find("missing"), std::string::npos);
  }
}

TEST(Files, PrivateDirectoriesAre0700AndNested) {
  testing::TempDir dir;
  const auto nested = dir.path() / "a" / "b";
  create_private_directory(nested);
  create_private_directory(nested);
  EXPECT_EQ(mode_of(dir.path() / "a"), 0700u);
  EXPECT_EQ(mode_of(nested), 0700u);
}

}  // namespace
}  // namespace sw::store
