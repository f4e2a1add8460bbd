// Is a directory visible to every node a Slurm job may land on? The Slurm executor needs the
// cache, the run directory and the sftx binaries on a filesystem all nodes share; this is
// how it tells, before anything is submitted.
//
// The rule: a path on a network or cluster filesystem (NFS, SMB/CIFS, Lustre, GPFS, BeeGFS,
// CephFS, GlusterFS/FUSE, AFS, 9p, ...; statfs(2)'s f_type) is shared. A path on a local
// filesystem (ext4, xfs, btrfs, tmpfs, overlay, zfs, ...) is shared only when every node of
// the partition is this machine. `[executor] shared_filesystem = true` in sftx.toml
// overrides the check for a local-looking path that is shared by other means.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace sftx::exec {

struct FilesystemInfo {
  std::string type;       // "nfs", "ext4", ... or "0x1234abcd" when not known
  bool network = false;   // a network or cluster filesystem
};

// statfs(2) of the nearest existing ancestor of `path`.
FilesystemInfo filesystem_of(const std::filesystem::path& path);
FilesystemInfo filesystem_from_magic(unsigned long magic);

// Why `what` (e.g. "the cache directory") at `path` would not be seen by the jobs; empty when
// it would. `nodes`: the host names of the partition's nodes.
std::string shared_fs_problem(const std::string& what, const std::filesystem::path& path, const FilesystemInfo& fs,
                              const std::vector<std::string>& nodes, const std::string& this_host);

}  // namespace sftx::exec
