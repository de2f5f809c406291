// The byte scanner: read_nessus at memchr speed for the XML that Nessus writes. It finds
// tags with a vectorised search, checks well-formedness itself (names, nesting,
// attributes, references, UTF-8, control characters) and decodes only what the visitor
// collects; the elements are interpreted by the same DocumentWalker as the expat reader.
// Comments are passed over. Anything outside its subset -- processing instructions, CDATA, a DOCTYPE
// with more than a name, an encoding other than UTF-8, a non-ASCII name, a tag over
// 1 MiB, a refusal or any error -- ends the scan, and the caller reads the file again
// with read_nessus, the reference, which gives the answer or the error.
#pragma once

#include <filesystem>

#include "results/nessus_reader.hpp"

namespace sw::results {

// True when the whole file was read and every callback made, as read_nessus would have
// made them. False otherwise; the visitor may have had some callbacks by then, so the
// caller starts over with fresh visitors and read_nessus.
bool scan_nessus(const std::filesystem::path& file, NessusVisitor& visitor, const ReadOptions& options);

}  // namespace sw::results
