// The scan calls of the Nessus client: list, find by name, read, create, launch, stop and
// delete. Writes are never blindly repeated: a lost answer is settled by reading the scan
// again (a create by looking its unique name up, a launch by adopting the active run, a
// stop or delete by the status the scan shows).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nessus/calls.hpp"
#include "nessus/protocol.hpp"
#include "nessus/session.hpp"

namespace sw::nessus {

class ScanControl {
 public:
  ScanControl(Calls& calls, Session& session) : calls_(calls), session_(session) {}

  boost::asio::awaitable<std::vector<ScanListEntry>> list_scans();
  boost::asio::awaitable<std::optional<std::int64_t>> find_scan_by_name(const std::string& name);
  // GET /scans/{id}, read for the fields the client keeps; `what` names the call in errors.
  boost::asio::awaitable<ScanDetails> read_scan(std::int64_t scan_id, const std::string& what);
  boost::asio::awaitable<std::int64_t> create_scan(const NewScan& scan);
  boost::asio::awaitable<std::string> launch_scan(std::int64_t scan_id);
  boost::asio::awaitable<void> stop_scan(std::int64_t scan_id);
  boost::asio::awaitable<void> delete_scan(std::int64_t scan_id);

 private:
  boost::asio::awaitable<Reply> get_scan(std::int64_t scan_id, const std::string& what);
  ScanDetails details_of(const Reply& reply, std::string_view what) const;
  core::Error refused_while_active_or_lost(const CallResult& result, std::string_view what) const;

  Calls& calls_;
  Session& session_;
};

}  // namespace sw::nessus
