// Learning-rate schedules with linear warmup, as Hugging Face's Trainer computes them
// (transformers.get_{linear,cosine,constant}_schedule_with_warmup), so an sftx stage and an HF
// run with the same hyperparameters see the same learning rate at every step.
//
// Steps are optimiser steps counted from 0. warmup_steps = ceil(warmup_ratio * total_steps)
// (HF's TrainingArguments.get_warmup_steps). During warmup lr = peak * s / warmup_steps (so the
// very first step has lr 0 when there is any warmup, as in HF); afterwards
//   constant: peak
//   linear:   peak * (total - s) / (total - warmup)
//   cosine:   peak * 0.5 * (1 + cos(pi * (s - warmup) / (total - warmup)))
// Torch-free: the schedule is plain arithmetic, restored on resume from the step alone.
#pragma once

#include <cstdint>
#include <string>

namespace sftx::rt {

enum class ScheduleKind { constant, linear, cosine };

// Throws std::invalid_argument for an unknown name (naming the accepted ones).
ScheduleKind parse_schedule_kind(const std::string& name);

struct LrSchedule {
  ScheduleKind kind = ScheduleKind::cosine;
  double peak_lr = 0;
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;

  // warmup_ratio in [0, 1]; total_steps >= 1. Throws std::invalid_argument otherwise.
  static LrSchedule make(const std::string& kind, double peak_lr, double warmup_ratio, int64_t total_steps);

  double lr_at(int64_t step) const;
};

}  // namespace sftx::rt
