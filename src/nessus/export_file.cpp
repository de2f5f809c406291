// ExportFile: an export download stored through store::AtomicFileWriter on a strand of the
// executor it is given; see export_file.hpp.
#include "nessus/export_file.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sw::nessus {

namespace asio = boost::asio;

// What the strand works on; every handler holds it, so it outlives the ExportFile when
// batches are still queued.
struct ExportFile::Writer {
  explicit Writer(std::filesystem::path path) : destination(std::move(path)) {}

  std::filesystem::path destination;
  std::atomic<std::size_t> queued_bytes{0};  // handed over, not yet written
  std::atomic<bool> failed{false};
  std::atomic<bool> abandoned{false};           // the ExportFile is gone: queued batches are dropped
  std::optional<store::AtomicFileWriter> file;  // strand only
  std::optional<core::Error> failure;           // strand only: the first failure

  store::AtomicFileWriter& opened() {
    if (!file) {
      file.emplace(destination);
    }
    return *file;
  }

  void store(const std::string& batch) {
    if (failure || abandoned) {
      return;  // the first failure stands; the caller learns it at its next wait
    }
    try {
      opened().append(batch);
    } catch (const core::Error& e) {
      failure = e;
      failed = true;
    }
  }
};

ExportFile::ExportFile(std::filesystem::path destination, const asio::any_io_executor& files)
    : strand_(asio::make_strand(files)), writer_(std::make_shared<Writer>(std::move(destination))) {}

ExportFile::~ExportFile() {
  writer_->abandoned = true;
  // The last reference goes on the strand: an unrenamed temporary file is closed and removed there.
  asio::post(strand_, [writer = std::move(writer_)]() mutable { writer.reset(); });
}

asio::awaitable<void> ExportFile::write(std::string_view bytes) {
  batch_.append(bytes);
  if (batch_.size() < kBatchBytes) {
    co_return;
  }
  hand_over();
  if (writer_->queued_bytes > kMaxQueuedBytes || writer_->failed) {
    co_await on_writer(Step::catch_up);
  }
}

asio::awaitable<void> ExportFile::finish() {
  hand_over();
  co_await on_writer(Step::commit);
}

void ExportFile::hand_over() {
  if (batch_.empty()) {
    return;
  }
  writer_->queued_bytes += batch_.size();
  asio::post(strand_, [writer = writer_, batch = std::move(batch_)] {
    writer->store(batch);
    writer->queued_bytes -= batch.size();
  });
  batch_.clear();
}

asio::awaitable<void> ExportFile::on_writer(Step step) {
  auto work = [writer = writer_, step]() -> asio::awaitable<void> {
    if (writer->failure) {
      throw *writer->failure;
    }
    try {
      auto& written = writer->opened();
      if (step == Step::commit) {
        written.commit();
      }
    } catch (const core::Error& e) {
      writer->failure = e;
      writer->failed = true;
      throw;
    }
    co_return;
  };
  // Named, not a temporary of the co_await expression: GCC 12 destroys those twice.
  auto stepping = asio::co_spawn(strand_, std::move(work), asio::use_awaitable);
  co_await std::move(stepping);
}

}  // namespace sw::nessus
