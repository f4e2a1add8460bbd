// The Slurm commands the Slurm executor uses (sinfo, scontrol, sbatch, squeue, scancel),
// run as subprocesses and parsed. The cluster is whichever the environment names
// (SLURM_CONF, or the system's /etc/slurm/slurm.conf).
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace sftx::exec {

class SlurmError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SlurmJobState {
  std::string state;    // PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, ...
  std::string reason;   // Dependency, DependencyNeverSatisfied, NonZeroExitCode, None, ...
  std::string exit_code;  // "3:0" when known
};

// Whether a Slurm state is final (the job will not run any more).
bool slurm_state_is_final(const std::string& state);

class SlurmClient {
 public:
  // Why Slurm cannot be used from here (not installed, controller not answering); empty when
  // it can.
  std::string unavailable() const;

  std::vector<std::string> partitions() const;          // names, the default one first
  // Host names of the nodes of `partition` (all nodes when empty).
  std::vector<std::string> node_hosts(const std::string& partition) const;

  // The CPUs of the nodes of `partition` (the default partition when empty), summed, and how
  // many nodes they are: the most a job's tasks × cpus-per-task can ask for there.
  struct Capacity {
    int nodes = 0;
    long cpus = 0;
  };
  Capacity capacity(const std::string& partition) const;

  // sbatch ARGS SCRIPT; returns the job id. Throws SlurmError with sbatch's message.
  std::string submit(const std::vector<std::string>& args, const std::filesystem::path& script) const;
  void release(const std::vector<std::string>& job_ids) const;  // scontrol release (held jobs)
  void cancel(const std::vector<std::string>& job_ids) const;   // scancel; throws SlurmError

  // The states of these jobs as far as Slurm still knows them (finished jobs are forgotten
  // after the cluster's MinJobAge); absent ids are unknown to it.
  std::map<std::string, SlurmJobState> states(const std::vector<std::string>& job_ids) const;
};

// "Partition 'gpu' is unknown" with the cluster's partitions; empty when it exists.
std::string unknown_partition_problem(const std::string& partition, const std::vector<std::string>& known);

}  // namespace sftx::exec
