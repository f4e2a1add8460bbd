#include "interpreter/exec/slurm_client.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "interpreter/exec/subprocess.h"
#include "interpreter/front/did_you_mean.h"

namespace sftx::exec {

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\n')) ++i;
  return s.substr(i);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!trim(line).empty()) out.push_back(trim(line));
  return out;
}

std::string joined(const std::vector<std::string>& ids, char sep) {
  std::string s;
  for (const auto& id : ids) s += (s.empty() ? "" : std::string(1, sep)) + id;
  return s;
}

std::string why(const CommandOutput& r) {
  std::string text = trim(r.err.empty() ? r.out : r.err);
  return text.empty() ? "exit status " + std::to_string(r.rc) : text;
}

}  // namespace

bool slurm_state_is_final(const std::string& s) {
  static const std::set<std::string> running = {"PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED",
                                                "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "SIGNALING",
                                                "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD"};
  return !running.count(s);
}

std::string SlurmClient::unavailable() const {
  for (const char* tool : {"sbatch", "squeue", "scontrol", "scancel", "sinfo"})
    if (!program_on_path(tool))
      return std::string("Slurm is not installed here: '") + tool +
             "' is not on PATH (run sftx on a cluster's login node, or install Slurm's client commands)";
  CommandOutput ping = run_command({"scontrol", "ping"});
  if (ping.rc != 0 || ping.out.find("UP") == std::string::npos)
    return "the Slurm controller does not answer (`scontrol ping`: " + why(ping) + ")";
  return {};
}

std::vector<std::string> SlurmClient::partitions() const {
  CommandOutput r = run_command({"sinfo", "-h", "-o", "%P"});
  if (r.rc != 0) throw SlurmError("sinfo: " + why(r));
  std::vector<std::string> out;
  for (auto p : lines_of(r.out)) {
    bool is_default = !p.empty() && p.back() == '*';
    if (is_default) p.pop_back();
    if (std::find(out.begin(), out.end(), p) != out.end()) continue;
    if (is_default) out.insert(out.begin(), p);
    else out.push_back(p);
  }
  return out;
}

std::vector<std::string> SlurmClient::node_hosts(const std::string& partition) const {
  std::vector<std::string> argv = {"sinfo", "-h", "-N", "-o", "%n"};
  if (!partition.empty()) argv.insert(argv.end(), {"-p", partition});
  CommandOutput r = run_command(argv);
  if (r.rc != 0) throw SlurmError("sinfo: " + why(r));
  std::vector<std::string> out = lines_of(r.out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

SlurmClient::Capacity SlurmClient::capacity(const std::string& partition) const {
  std::string part = partition;
  if (part.empty()) {
    std::vector<std::string> known = partitions();
    if (known.empty()) throw SlurmError("sinfo lists no partition");
    part = known.front();  // the default one
  }
  // One line per node of the partition: its name and CPU count.
  CommandOutput r = run_command({"sinfo", "-h", "-N", "-p", part, "-o", "%n %c"});
  if (r.rc != 0) throw SlurmError("sinfo: " + why(r));
  Capacity c;
  std::set<std::string> seen;
  for (const auto& line : lines_of(r.out)) {
    std::istringstream in(line);
    std::string host;
    long cpus = 0;
    if (!(in >> host >> cpus) || !seen.insert(host).second) continue;
    ++c.nodes;
    c.cpus += cpus;
  }
  return c;
}

std::string SlurmClient::submit(const std::vector<std::string>& args, const std::filesystem::path& script) const {
  std::vector<std::string> argv = {"sbatch", "--parsable"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(script.string());
  CommandOutput r = run_command(argv);
  std::string id = trim(r.out);
  id = id.substr(0, id.find(';'));  // "id;cluster" on federated clusters
  if (r.rc != 0 || id.empty() || !std::all_of(id.begin(), id.end(), ::isdigit))
    throw SlurmError("sbatch refused the job: " + why(r));
  return id;
}

void SlurmClient::release(const std::vector<std::string>& job_ids) const {
  if (job_ids.empty()) return;
  CommandOutput r = run_command({"scontrol", "release", joined(job_ids, ',')});
  if (r.rc != 0) throw SlurmError("scontrol release: " + why(r));
}

void SlurmClient::cancel(const std::vector<std::string>& job_ids) const {
  if (job_ids.empty()) return;
  std::vector<std::string> argv = {"scancel"};
  argv.insert(argv.end(), job_ids.begin(), job_ids.end());
  CommandOutput r = run_command(argv);
  if (r.rc != 0) throw SlurmError("scancel: " + why(r));
}

std::map<std::string, SlurmJobState> SlurmClient::states(const std::vector<std::string>& job_ids) const {
  std::map<std::string, SlurmJobState> out;
  if (job_ids.empty()) return out;
  // One squeue for all the jobs it still lists (finished ones too, with -t all); asking by
  // id would fail outright once one of them has been forgotten.
  CommandOutput r = run_command({"squeue", "-h", "-t", "all", "-o", "%i|%T|%r"});
  if (r.rc != 0) throw SlurmError("squeue: " + why(r));
  std::set<std::string> wanted(job_ids.begin(), job_ids.end());
  for (const auto& line : lines_of(r.out)) {
    std::string id = line.substr(0, line.find('|'));
    if (!wanted.count(id)) continue;
    size_t a = line.find('|'), b = line.find('|', a + 1);
    out[id] = {line.substr(a + 1, b - a - 1), b == std::string::npos ? "" : line.substr(b + 1), ""};
  }
  // Jobs squeue no longer lists may still be known to scontrol (the final state and exit code).
  for (const auto& id : job_ids) {
    if (out.count(id)) continue;
    CommandOutput s = run_command({"scontrol", "-o", "show", "job", id});
    if (s.rc != 0) continue;
    SlurmJobState st;
    std::istringstream fields(s.out);
    std::string field;
    while (fields >> field) {
      auto eq = field.find('=');
      if (eq == std::string::npos) continue;
      std::string k = field.substr(0, eq), v = field.substr(eq + 1);
      if (k == "JobState") st.state = v;
      else if (k == "Reason") st.reason = v;
      else if (k == "ExitCode") st.exit_code = v;
    }
    if (!st.state.empty()) out[id] = st;
  }
  return out;
}

std::string unknown_partition_problem(const std::string& partition, const std::vector<std::string>& known) {
  if (partition.empty() || std::find(known.begin(), known.end(), partition) != known.end()) return {};
  std::string list;
  for (const auto& p : known) list += (list.empty() ? "" : ", ") + p;
  std::string msg = "Slurm has no partition '" + partition + "' (partitions: " + (list.empty() ? "none" : list) + ")";
  std::string hint = did_you_mean(partition, known);
  if (!hint.empty()) msg += "; " + hint;
  return msg;
}

}  // namespace sftx::exec
