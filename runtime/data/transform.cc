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
struct Variant {
  std::string op, method;
  TransformVariantFn fn;
};
std::vector<Variant>& variants() {  // function-local: filled during static initialisation
  static std::vector<Variant> table;
  return table;
}
}  // namespace

TransformVariant::TransformVariant(std::string op, std::string method, TransformVariantFn fn) {
  variants().push_back({std::move(op), std::move(method), fn});
}

TransformVariantFn find_transform_variant(const std::string& op, const std::string& method) {
  for (const auto& v : variants())
    if (v.op == op && v.method == method) return v.fn;
  return nullptr;
}

int default_threads() {
  if (const char* env = std::getenv("SFTX_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

DataStats apply_transform(const std::string& op, const nlohmann::json& params, const std::vector<std::string>& inputs,
                          const std::string& out, uint64_t seed, const Device& device, const ProgressFn& progress) {
  DataStats st;
  TransformVariantFn variant = nullptr;
  if (params.is_object() && params.contains("method") && params["method"].is_string())
    variant = find_transform_variant(op, params["method"].get<std::string>());
  if (variant) {
    st = variant(params, inputs, out, TransformEnv{seed, device, progress});
  } else if (op == "decontaminate") {
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

DataStats apply_transform(const std::string& op, const nlohmann::json& params, const std::vector<std::string>& inputs,
                          const std::string& out, uint64_t seed) {
  return apply_transform(op, params, inputs, out, seed, Device{}, ProgressFn{});
}

}  // namespace sftx::rt
