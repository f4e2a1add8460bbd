#include "interpreter/exec/shared_fs.h"

#include <sys/vfs.h>

#include <cstdio>

namespace sftx::exec {
namespace fs = std::filesystem;

FilesystemInfo filesystem_from_magic(unsigned long magic) {
  struct Known {
    unsigned long magic;
    const char* name;
    bool network;
  };
  static const Known known[] = {
      {0x6969, "nfs", true},          {0x517B, "smb", true},         {0xFF534D42, "cifs", true},
      {0xFE534D42, "smb2", true},     {0x00C36400, "ceph", true},    {0x0BD00BD0, "lustre", true},
      {0x47504653, "gpfs", true},     {0x19830326, "beegfs", true},  {0x65735546, "fuse", true},
      {0x5346414F, "afs", true},      {0x6B414653, "kafs", true},    {0x01021997, "9p", true},
      {0x7461636F, "ocfs2", true},    {0x01161970, "gfs2", true},    {0xAAD7AAEA, "panfs", true},
      {0xEF53, "ext4", false},        {0x58465342, "xfs", false},    {0x9123683E, "btrfs", false},
      {0x01021994, "tmpfs", false},   {0x794C7630, "overlay", false}, {0x2FC12FC1, "zfs", false},
      {0xF2F52010, "f2fs", false},    {0x4D44, "vfat", false},       {0x5346544E, "ntfs", false},
  };
  magic &= 0xFFFFFFFFul;
  for (const auto& k : known)
    if (k.magic == magic) return {k.name, k.network};
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%lx", magic);
  return {hex, false};
}

FilesystemInfo filesystem_of(const fs::path& path) {
  fs::path p = fs::absolute(path);
  std::error_code ec;
  while (!fs::exists(p, ec) && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  struct statfs st {};
  if (::statfs(p.c_str(), &st) != 0) return {"unknown", false};
  return filesystem_from_magic(static_cast<unsigned long>(st.f_type));
}

namespace {

std::string short_name(const std::string& host) { return host.substr(0, host.find('.')); }

}  // namespace

std::string shared_fs_problem(const std::string& what, const fs::path& path, const FilesystemInfo& info,
                              const std::vector<std::string>& nodes, const std::string& this_host) {
  if (info.network) return {};
  std::vector<std::string> others;
  for (const auto& n : nodes)
    if (short_name(n) != short_name(this_host) && n != "localhost") others.push_back(n);
  if (!nodes.empty() && others.empty()) return {};  // every node is this machine
  std::string list;
  for (size_t i = 0; i < others.size() && i < 4; ++i) list += (i ? ", " : "") + others[i];
  if (others.size() > 4) list += ", ...";
  return what + " " + path.string() + " is on a local filesystem (" + info.type + "), but the partition has nodes " +
         "other than this machine (" + (list.empty() ? "none listed" : list) +
         "): jobs there would not see it. Put it on a filesystem every node mounts (NFS, Lustre, GPFS, ...), " +
         "or, if this path is shared by other means, set `shared_filesystem = true` under [executor] in sftx.toml";
}

}  // namespace sftx::exec
