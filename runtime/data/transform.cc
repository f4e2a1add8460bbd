// apply_transform: the one entry point the executor calls for `d |> op(args)`.
#include <cstdlib>
#include <thread>

#include "runtime/data/data_error.h"
#include "runtime/data/transforms.h"

namespace sftx::rt {

namespace {
void expect_inputs(const std::string& op, const std::vector<std::string>& inputs, size_t min, size_t max) {
  if (inputs.size() < min || inputs.size() > max)
    throw DataError(op + ": expected " + (min == max ? std::to_string(min) : "at least " + std::to_string(min)) +
                    " data input(s), got " + std::to_string(inputs.size()));
}
}  // namespace

int default_threads() {
  if (const char* env = std::getenv("SFTX_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

DataStats apply_transform(const std::string& op, const nlohmann::json& params, const std::vector<std::string>& inputs,
                          const std::string& out, uint64_t seed) {
  DataStats st;
  if (op == "decontaminate") {
    expect_inputs(op, inputs, 2, SIZE_MAX);
    st = decontaminate_records(params, inputs[0], std::vector<std::string>(inputs.begin() + 1, inputs.end()), out);
  } else {
    expect_inputs(op, inputs, 1, 1);
    if (op == "filter") st = filter_records(params, inputs[0], out);
    else if (op == "tag") st = tag_records(params, inputs[0], out);
    else if (op == "dedup") st = dedup_records(params, inputs[0], out);
    else if (op == "split") st = split_records(params, inputs[0], out, seed);
    else if (op == "take") st = take_records(params, inputs[0], out);
    else if (op == "sample") st = sample_records(params, inputs[0], out, seed);
    else
      throw DataError("unknown data transform \"" + op +
                      "\" (expected filter, dedup, decontaminate, tag, split, take or sample)");
  }
  st.details["op"] = op;
  return st;
}

}  // namespace sftx::rt
