#include "runtime/base/json_depth.h"

#include "runtime/base/json_scanner.h"

namespace sftx::rt {

bool json_nests_deeper_than(std::string_view text, size_t max_depth) {
  JsonScanner scanner;
  for (char c : text)
    if (scanner.feed(c) == JsonScanner::Byte::open && scanner.depth() > max_depth) return true;
  return false;
}

}  // namespace sftx::rt
