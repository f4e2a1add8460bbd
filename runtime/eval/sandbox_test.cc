#include "runtime/eval/sandbox.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>

using namespace sftx::rt;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  explicit TempDir(mode_t mode = 0700) {
    std::string t = (fs::temp_directory_path() / "sftx-sandbox-test-XXXXXX").string();
    path = mkdtemp(t.data());
    chmod(path.c_str(), mode);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string py_str(const std::string& s) { return "'" + s + "'"; }

}  // namespace

TEST_CASE("sandbox: a program runs in its own directory with a cleared environment", "[sandbox]") {
  auto r = run_python_sandboxed(
      "import os\n"
      "open('ok.txt', 'w').write('written')\n"
      "print(open('ok.txt').read())\n"
      "print(os.getcwd() == os.environ['HOME'] == os.environ['TMPDIR'])\n"
      "print(sorted(k for k in os.environ if k not in ('LC_CTYPE',)))\n");
  INFO(r.stderr_text);
  REQUIRE(r.ok());
  CHECK(r.stdout_text ==
        "written\nTrue\n['HOME', 'LANG', 'PATH', 'PYTHONDONTWRITEBYTECODE', 'PYTHONHASHSEED', 'TMPDIR']\n");
  WARN("sandbox isolation here: " << r.isolation.describe());
}

TEST_CASE("sandbox: a failing program reports its exit status and stderr", "[sandbox]") {
  auto r = run_python_sandboxed("assert 1 + 1 == 3\n");
  CHECK_FALSE(r.ok());
  CHECK(r.exit_code == 1);
  CHECK(r.stderr_text.find("AssertionError") != std::string::npos);
}

TEST_CASE("sandbox: writing outside its directory fails and changes nothing", "[sandbox]") {
  // The test's own private directory, given to the program by absolute path.
  TempDir mine(0700);
  fs::path target = mine.path / "escape.txt";
  auto r = run_python_sandboxed("open(" + py_str(target.string()) + ", 'w').write('pwned')\n");
  CHECK_FALSE(r.ok());
  CHECK_FALSE(fs::exists(target));

  // An existing file outside keeps its content.
  fs::path existing = mine.path / "keep.txt";
  std::ofstream(existing) << "original";
  auto r2 = run_python_sandboxed("open(" + py_str(existing.string()) + ", 'w').write('pwned')\n");
  CHECK_FALSE(r2.ok());
  std::ifstream in(existing);
  std::string content((std::istreambuf_iterator<char>(in)), {});
  CHECK(content == "original");

  // A world-writable directory: ordinary permissions would allow this write, so only the
  // read-only mount namespace stops it.
  TempDir open_dir(0777);
  chmod(open_dir.path.c_str(), 0777);
  fs::path open_target = open_dir.path / "escape.txt";
  auto r3 = run_python_sandboxed("open(" + py_str(open_target.string()) + ", 'w').write('pwned')\n");
  if (r3.isolation.filesystem) {
    CHECK_FALSE(r3.ok());
    CHECK(r3.stderr_text.find("Read-only file system") != std::string::npos);
    CHECK_FALSE(fs::exists(open_target));
  } else {
    WARN("no mount namespace here (" << r3.isolation.describe() << "): world-writable paths are not protected");
  }
}

TEST_CASE("sandbox: an infinite loop ends at the timeout", "[sandbox]") {
  SandboxLimits lim;
  lim.timeout_s = 1.0;
  auto r = run_python_sandboxed("while True:\n    pass\n", lim);
  CHECK(r.timed_out);
  CHECK_FALSE(r.ok());
  CHECK(r.seconds >= 1.0);  // not killed before its timeout; how soon after is timing, for bench/
  CHECK(kill(-r.process_group, 0) == -1);
}

TEST_CASE("sandbox: a fork bomb is contained and killed as a group", "[sandbox]") {
  SandboxLimits lim;
  lim.timeout_s = 1.0;
  lim.max_processes = 32;
  auto r = run_python_sandboxed(
      "import os\n"
      "while True:\n"
      "    try:\n"
      "        os.fork()\n"
      "    except OSError:\n"
      "        pass\n",
      lim);
  CHECK_FALSE(r.ok());
  // Nothing of its process group survives.
  errno = 0;
  CHECK(kill(-r.process_group, 0) == -1);
  CHECK(errno == ESRCH);
  // And this process can still fork.
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) _exit(42);
  int st = 0;
  REQUIRE(waitpid(child, &st, 0) == child);
  CHECK(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 42);
}

TEST_CASE("sandbox: memory beyond the limit fails", "[sandbox]") {
  SandboxLimits lim;
  lim.memory_bytes = int64_t{256} << 20;
  auto r = run_python_sandboxed("x = bytearray(1 << 30)\nprint('allocated')\n", lim);
  CHECK_FALSE(r.ok());
  CHECK(r.stdout_text.find("allocated") == std::string::npos);
}

TEST_CASE("sandbox: no network where a network namespace is available", "[sandbox]") {
  int srv = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(srv >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(bind(srv, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(listen(srv, 1) == 0);
  socklen_t len = sizeof addr;
  getsockname(srv, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  auto r = run_python_sandboxed("import socket\nsocket.create_connection(('127.0.0.1', " + std::to_string(port) +
                                "), timeout=2)\nprint('connected')\n");
  close(srv);
  if (r.isolation.network) {
    CHECK_FALSE(r.ok());
    CHECK(r.stdout_text.find("connected") == std::string::npos);
  } else {
    WARN("no network namespace here: the sandbox cannot cut the network");
  }
}

TEST_CASE("sandbox: /proc shows the sandbox's own processes, not the host's", "[sandbox]") {
  auto r = run_python_sandboxed(
      "import os\n"
      "pids = [p for p in os.listdir('/proc') if p.isdigit()]\n"
      "print(len(pids))\n"
      "print(" + std::to_string(getpid()) + " in [int(p) for p in pids])\n");
  INFO(r.stderr_text << " isolation " << r.isolation.describe());
  REQUIRE(r.ok());
  if (r.isolation.pid_namespace) {
    CHECK(r.isolation.own_proc);
    // Its own interpreter (pid 1) and nothing else of the host; never this test process.
    int listed = std::stoi(r.stdout_text);
    CHECK(listed <= 2);
    CHECK(r.stdout_text.find("False") != std::string::npos);
  } else {
    WARN("no PID namespace here (" << r.isolation.describe() << "): the host's processes are visible");
  }
}

TEST_CASE("sandbox: a harness gets a secret on fd 3 and reports on fd 4", "[sandbox]") {
  auto r = run_python_sandboxed(
      "import os\n"
      "secret = os.read(3, 100)\n"
      "rest = os.read(3, 100)\n"
      "os.write(4, b'got ' + secret + b' then ' + repr(rest).encode())\n"
      "print('stdout is separate')\n",
      {}, "s3cr3t");
  INFO(r.stderr_text);
  REQUIRE(r.ok());
  CHECK(r.report_text == "got s3cr3t then b''");
  CHECK(r.stdout_text == "stdout is separate\n");
  // Without a secret, fd 3 is at its end at once; nothing else is open beyond fd 4.
  auto r2 = run_python_sandboxed(
      "import os\n"
      "print(os.read(3, 10), sorted(int(f) for f in os.listdir('/dev/fd')))\n");
  INFO(r2.stderr_text);
  REQUIRE(r2.ok());
  // listdir itself holds one more fd open while it reads the directory.
  CHECK(r2.stdout_text.rfind("b'' [0, 1, 2, 3, 4", 0) == 0);
}
