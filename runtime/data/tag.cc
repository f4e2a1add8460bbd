// tag(): adds rule_tags (tagger.h) to each record's meta.tags, keeping tags already there.
#include <algorithm>
#include <set>

#include "runtime/data/record_io.h"
#include "runtime/data/tagger.h"
#include "runtime/data/text_normalize.h"
#include "runtime/data/transform_params.h"
#include "runtime/data/transforms.h"

namespace sftx::rt {

DataStats tag_records(const nlohmann::json& params, const std::string& in, const std::string& out_path) {
  TransformParams p("tag", params, {});
  RecordWriter out(out_path);
  std::map<std::string, int64_t> counts;
  for_each_record(in, [&](Record&& r, int64_t) {
    std::set<std::string> tags;
    if (r.meta.contains("tags") && r.meta["tags"].is_array())
      for (const auto& t : r.meta["tags"])
        if (t.is_string()) tags.insert(t.get<std::string>());
    for (auto& t : rule_tags(record_text(r))) {
      ++counts[t];
      tags.insert(t);
    }
    r.meta["tags"] = std::vector<std::string>(tags.begin(), tags.end());
    out.write(r);
  });
  out.close();
  DataStats st;
  st.records = out.count();
  st.details["tagged"] = nlohmann::json::object();
  for (const auto& [t, n] : counts) st.details["tagged"][t] = n;
  return st;
}

}  // namespace sftx::rt
