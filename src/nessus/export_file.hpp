// ExportFile: the ExportSink that stores a download at a path through store::AtomicFileWriter
// (temporary file beside it, fsync, rename), so the path holds the old file or the whole
// export, never a part. The blocking writes and the fsync run in order on a strand of the
// executor it is given (the worker's export-writing pool), never on the event loop; at most
// kMaxQueuedBytes wait for that strand before the download waits. No thread of its own: a
// worker finishing hundreds of exports a second does not start and stop a thread for each.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/strand.hpp>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/errors.hpp"
#include "nessus/export_sink.hpp"
#include "store/files.hpp"

namespace sw::nessus {

class ExportFile final : public ExportSink {
 public:
  static constexpr std::size_t kBatchBytes = std::size_t{1} << 20;      // handed to the strand at once
  static constexpr std::size_t kMaxQueuedBytes = std::size_t{8} << 20;  // unwritten before write() waits

  // The temporary file is created by the first write or finish(), on a strand of `files`.
  ExportFile(std::filesystem::path destination, const boost::asio::any_io_executor& files);
  // An unfinished file is removed on the strand, after the batches already handed over
  // (which are no longer written); the destructor does not wait for it.
  ~ExportFile() override;
  ExportFile(const ExportFile&) = delete;
  ExportFile& operator=(const ExportFile&) = delete;

  boost::asio::awaitable<void> write(std::string_view bytes) override;
  boost::asio::awaitable<void> finish() override;

 private:
  enum class Step { catch_up, commit };
  struct Writer;  // the strand's side, shared with the work handed over

  void hand_over();
  // Runs `step` on the strand once every batch handed over before is written (catch_up
  // does nothing more); rethrows in the caller the first failure of the writer or of `step`.
  boost::asio::awaitable<void> on_writer(Step step);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  std::shared_ptr<Writer> writer_;
  std::string batch_;  // bytes not yet handed to the strand
};

}  // namespace sw::nessus
