#include "runtime/data/source.h"

#include "runtime/data/data_error.h"
#include "runtime/data/json_array_reader.h"
#include "runtime/base/json_depth.h"
#include "runtime/data/record_io.h"
#include "runtime/data/source_format.h"
#include "runtime/data/utf8.h"

namespace sftx::rt {

namespace {

constexpr size_t kListedSkips = 20;  // how many skipped lines the report names
constexpr size_t kMaxQuotedBytes = 300;  // of a parser message, which may quote the record
constexpr size_t kMaxReasonBytes = 1024;  // of any reason a record is rejected

bool is_blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

class SourceConverter {
 public:
  SourceConverter(const SourceSpec& spec, const std::function<void(Record&&)>& fn, DataStats& stats)
      : spec_(spec), fn_(fn), stats_(stats) {}

  void convert(const std::string& text, int64_t line) {
    Record r;
    try {
      // Checked first, for every reader (JSONL lines and JSON array elements pass here): the
      // JSON parser's own message would quote the bad bytes, and they must reach neither a
      // terminal nor run.json (which cannot hold them).
      if (size_t bad = invalid_utf8_offset(text); bad != std::string::npos)
        throw FormatError("invalid UTF-8 (byte " + std::to_string(bad + 1) + " of the record is " +
                          display_safe(text.substr(bad, 1), 8) + ")");
      if (json_nests_deeper_than(text))
        throw FormatError("JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(text);
      } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range: 1e999
        throw FormatError("invalid JSON: " + display_safe(brief(e.what()), kMaxQuotedBytes));
      }
      r = record_from_format(j, spec_.format);
    } catch (const FormatError& e) {
      // A format error may quote the record (an unknown speaker's name): bounded, display-safe.
      const std::string reason = display_safe(e.what(), kMaxReasonBytes);
      if (spec_.on_error != "skip") throw DataError(spec_.path, line, reason);
      ++stats_.skipped;
      auto& listed = stats_.details["skipped_lines"];
      if (listed.size() < kListedSkips)
        listed.push_back({{"origin", spec_.path + ":" + std::to_string(line)}, {"reason", reason}});
      return;
    }
    r.source = spec_.source_name.empty() ? spec_.path : spec_.source_name;
    r.origin = spec_.path + ":" + std::to_string(line);
    ++stats_.records;
    fn_(std::move(r));
  }

 private:
  // nlohmann's messages start "[json.exception.parse_error.101] parse error at line 1, ...".
  static std::string brief(const std::string& what) {
    size_t at = what.find("] ");
    return at == std::string::npos ? what : what.substr(at + 2);
  }
  const SourceSpec& spec_;
  const std::function<void(Record&&)>& fn_;
  DataStats& stats_;
};

}  // namespace

void for_each_source_record(const SourceSpec& spec, const std::function<void(Record&&)>& fn, DataStats& stats) {
  if (!is_known_format(spec.format))
    throw DataError(spec.path, 0, "unknown format \"" + spec.format +
                                      "\" (expected alpaca, sharegpt, messages, gsm8k, humaneval or text)");
  if (spec.on_error != "stop" && spec.on_error != "skip")
    throw DataError(spec.path, 0, "on_error must be \"stop\" or \"skip\", not \"" + spec.on_error + "\"");
  stats.details["skipped_lines"] = nlohmann::json::array();
  SourceConverter convert(spec, fn, stats);
  if (spec.container == "jsonl") {
    LineReader reader(spec.path);
    std::string line;
    while (reader.next(line))
      if (!is_blank(line)) convert.convert(line, reader.line_number());
  } else if (spec.container == "json") {
    JsonArrayReader reader(spec.path);
    std::string element;
    int64_t line = 0;
    while (reader.next(element, line)) convert.convert(element, line);
  } else {
    throw DataError(spec.path, 0, "unknown container \"" + spec.container + "\" (expected jsonl or json)");
  }
}

DataStats read_source(const SourceSpec& spec, const std::string& out_jsonl, const ProgressFn& progress) {
  DataStats stats;
  RecordWriter out(out_jsonl);
  for_each_source_record(
      spec,
      [&](Record&& r) {
        out.write(r);
        if (progress && out.count() % 10000 == 0) progress({"read", out.count(), 0, spec.path});
      },
      stats);
  out.close();
  stats.details["source"] = spec.path;
  stats.details["format"] = spec.format;
  if (progress) progress({"read", out.count(), out.count(), spec.path});
  return stats;
}

}  // namespace sftx::rt
