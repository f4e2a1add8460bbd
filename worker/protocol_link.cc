// The request protocol (runtime/launch/protocol.cc) compiled into the worker as well.
//
// Why this file: the worker executable links only sftx_nn (CMakeLists.txt), while the protocol
// lives in the torch-free sftx_launch library that the driver links. Until the worker also links
// sftx_launch, its one source file is compiled here. If sftx_launch is ever added to the worker's
// link line, nothing breaks (the linker takes these definitions and never pulls protocol.o from
// the archive), and this file can simply be deleted.
#include "runtime/launch/protocol.cc"  // NOLINT(bugprone-suspicious-include)
