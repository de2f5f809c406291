// The Nessus scan a task asks for, read once from its queue message into a typed request
// (name with the task marker, description, targets, SSH credentials).
#pragma once

#include "core/task_message.hpp"
#include "nessus/scanner_api.hpp"

namespace sw::worker {

// Throws core::Error(bad_input) when the credentials were redacted (a dead letter retried
// as it was stored: its password is gone).
nessus::NewScan scan_request_of(const core::TaskMessage& message);

}  // namespace sw::worker
