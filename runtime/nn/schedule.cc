#include "runtime/nn/schedule.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sftx::rt {

ScheduleKind parse_schedule_kind(const std::string& name) {
  if (name == "cosine") return ScheduleKind::cosine;
  if (name == "linear") return ScheduleKind::linear;
  if (name == "constant") return ScheduleKind::constant;
  throw std::invalid_argument("unknown schedule '" + name + "' (expected cosine, linear or constant)");
}

LrSchedule LrSchedule::make(const std::string& kind, double peak_lr, double warmup_ratio, int64_t total_steps) {
  if (!(warmup_ratio >= 0 && warmup_ratio <= 1))
    throw std::invalid_argument("warmup must be a fraction of the steps in [0, 1], got " + std::to_string(warmup_ratio));
  if (total_steps < 1) throw std::invalid_argument("a schedule needs at least one step");
  LrSchedule s;
  s.kind = parse_schedule_kind(kind);
  s.peak_lr = peak_lr;
  s.total_steps = total_steps;
  s.warmup_steps = static_cast<int64_t>(std::ceil(warmup_ratio * static_cast<double>(total_steps)));
  return s;
}

double LrSchedule::lr_at(int64_t step) const {
  if (step < warmup_steps) return peak_lr * static_cast<double>(step) / static_cast<double>(std::max<int64_t>(1, warmup_steps));
  if (kind == ScheduleKind::constant) return peak_lr;
  double decay_steps = static_cast<double>(std::max<int64_t>(1, total_steps - warmup_steps));
  double progress = static_cast<double>(step - warmup_steps) / decay_steps;
  if (kind == ScheduleKind::linear) return peak_lr * std::max(0.0, 1.0 - progress);
  const double pi = 3.14159265358979323846;
  return peak_lr * std::max(0.0, 0.5 * (1.0 + std::cos(pi * progress)));
}

}  // namespace sftx::rt
