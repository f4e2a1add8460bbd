# Which LibTorch the torch side builds against: the interface target `sftx_torch`, which sftx_nn
# links and so every torch binary (sftx-worker, sftx_nn_test, bench_nn_*). The driver `sftx`
# never links it (DEVELOPERS.md, "Two processes").
#
#   SFTX_TORCH=debian  (default) Debian's libtorch-dev 1.13, CPU only, C++17.
#   SFTX_TORCH=wheel   the LibTorch inside a PyPI torch 2.x wheel: the one in the Python of
#                      SFTX_TORCH_PYTHON, by default the peer environment scripts/peers/setup.sh
#                      builds (torch 2.14.1). Its headers need C++20, so everything linking
#                      sftx_torch compiles as C++20; the rest of the tool stays C++17.
#     SFTX_CUDA=OFF    (default) libtorch_cpu and libc10 only: the worker runs on the CPU and
#                      does not load the wheel's CUDA half (libtorch_cuda is ~1 GB to map per
#                      process start). No CUDA toolkit needed.
#     SFTX_CUDA=ON     the wheel's own CMake config (find_package(Torch)), which links
#                      libtorch_cuda and the CUDA libraries of the nvidia-* wheels and looks for
#                      the machine's CUDA toolkit (nvcc, headers) to match; NCCL for multi-GPU.
# scripts/build-torch2.sh configures, builds and tests the wheel flavour; scripts/build-gpu.sh
# is its CUDA variant (docs/gpu.md).
set(SFTX_TORCH "debian" CACHE STRING "LibTorch flavour: debian (libtorch-dev 1.13) or wheel (PyPI torch 2.x)")
set_property(CACHE SFTX_TORCH PROPERTY STRINGS debian wheel)
option(SFTX_CUDA "With SFTX_TORCH=wheel: link the wheel's CUDA libraries (needs the CUDA toolkit)" OFF)
set(SFTX_TORCH_PYTHON "$ENV{HOME}/.cache/sftx/peers-venv/bin/python" CACHE FILEPATH
    "With SFTX_TORCH=wheel: the python whose torch wheel provides LibTorch")

add_library(sftx_torch INTERFACE)

if(SFTX_TORCH STREQUAL "debian")
  if(SFTX_CUDA)
    message(FATAL_ERROR "SFTX_CUDA=ON needs SFTX_TORCH=wheel: Debian's LibTorch is CPU-only")
  endif()
  find_package(Torch REQUIRED)
  target_link_libraries(sftx_torch INTERFACE ${TORCH_LIBRARIES})
  set(SFTX_TORCH_VERSION "${Torch_VERSION}")
elseif(SFTX_TORCH STREQUAL "wheel")
  execute_process(
    COMMAND "${SFTX_TORCH_PYTHON}" -c
            "import os, torch; print(os.path.dirname(torch.__file__)); print(torch.__version__.split('+')[0]); print(int(torch._C._GLIBCXX_USE_CXX11_ABI)); print(torch.utils.cmake_prefix_path)"
    OUTPUT_VARIABLE _torch_info RESULT_VARIABLE _torch_rc ERROR_VARIABLE _torch_err OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _torch_rc EQUAL 0)
    message(FATAL_ERROR "SFTX_TORCH=wheel: `${SFTX_TORCH_PYTHON} -c 'import torch'` failed (build the peer "
                        "environment with scripts/peers/setup.sh, or set SFTX_TORCH_PYTHON):\n${_torch_err}")
  endif()
  string(REPLACE "\n" ";" _torch_info "${_torch_info}")
  list(GET _torch_info 0 _torch_dir)
  list(GET _torch_info 1 SFTX_TORCH_VERSION)
  list(GET _torch_info 2 _torch_abi)
  list(GET _torch_info 3 _torch_cmake_prefix)
  if(SFTX_TORCH_VERSION VERSION_LESS 2.4)
    message(FATAL_ERROR "SFTX_TORCH=wheel needs torch >= 2.4 (CPU autocast by device type, CPU fused AdamW); "
                        "${SFTX_TORCH_PYTHON} has ${SFTX_TORCH_VERSION}")
  endif()
  if(SFTX_CUDA)
    list(APPEND CMAKE_PREFIX_PATH "${_torch_cmake_prefix}")
    # TorchConfig looks for libtorch and libc10 with find_library(... PATHS <wheel>/lib), which
    # searches the system first and would pick Debian's libc10 (two c10s in one process): the
    # wheel's lib folder goes first.
    list(PREPEND CMAKE_LIBRARY_PATH "${_torch_dir}/lib")
    find_package(Torch REQUIRED CONFIG)
    foreach(_lib IN LISTS TORCH_LIBRARIES)
      if(_lib MATCHES "^/usr/lib/.*(torch|c10)")
        message(FATAL_ERROR "SFTX_CUDA=ON: the wheel's TorchConfig picked a system LibTorch library: ${_lib}")
      endif()
    endforeach()
    target_link_libraries(sftx_torch INTERFACE ${TORCH_LIBRARIES})
    # libtorch_cuda needs the NCCL, cuDNN and CUDA libraries of the nvidia-* wheels it was built
    # against; the toolkit's own, older libnccl (/usr/local/cuda/lib, on the link's rpath) lacks
    # symbols it uses (ncclCommGrow, ...). The wheels' lib folders come first: for the link
    # (-rpath-link is searched before -rpath) and at run time.
    file(GLOB _nvidia_lib_dirs LIST_DIRECTORIES true "${_torch_dir}/../nvidia/*/lib")
    foreach(_dir IN LISTS _nvidia_lib_dirs)
      get_filename_component(_dir "${_dir}" REALPATH)
      target_link_options(sftx_torch INTERFACE "LINKER:-rpath-link,${_dir}" "LINKER:-rpath,${_dir}")
    endforeach()
    # NCCL's process group for data parallelism on GPUs (runtime/nn/data_parallel.cc), where
    # nccl.h is found: the toolkit's, or the nvidia-nccl wheel's.
    target_compile_definitions(sftx_torch INTERFACE SFTX_WITH_NCCL=1)
    find_path(SFTX_NCCL_INCLUDE_DIR nccl.h
              HINTS ${CUDAToolkit_INCLUDE_DIRS} "${_torch_dir}/../nvidia/nccl/include")
    if(SFTX_NCCL_INCLUDE_DIR)
      target_include_directories(sftx_torch SYSTEM INTERFACE "${SFTX_NCCL_INCLUDE_DIR}")
    endif()
  else()
    # The CPU half of the wheel, imported by hand: the wheel's CMake config would pull in CUDA.
    # libtorch_cpu finds its own dependencies (libgomp, and libcudart/libcupti it links even on
    # the CPU) through its RPATH into the wheel's and the nvidia-* wheels' lib folders.
    foreach(_lib torch_cpu c10)
      if(NOT EXISTS "${_torch_dir}/lib/lib${_lib}.so")
        message(FATAL_ERROR "SFTX_TORCH=wheel: ${_torch_dir}/lib/lib${_lib}.so not found")
      endif()
      target_link_libraries(sftx_torch INTERFACE "${_torch_dir}/lib/lib${_lib}.so")
    endforeach()
    target_include_directories(sftx_torch SYSTEM INTERFACE "${_torch_dir}/include"
                               "${_torch_dir}/include/torch/csrc/api/include")
    # What the wheel's torch_cpu target gives its users (Caffe2Targets.cmake).
    target_compile_definitions(sftx_torch INTERFACE USE_DISTRIBUTED USE_C10D_GLOO)
  endif()
  # The wheel's C++ ABI, as TORCH_CXX_FLAGS says; Debian's libraries (fmt, TOML++, tcmalloc)
  # use the C++11 ABI, so a wheel with the old one cannot share a process with them.
  if(NOT _torch_abi EQUAL 1)
    message(FATAL_ERROR "SFTX_TORCH=wheel: this torch uses _GLIBCXX_USE_CXX11_ABI=0; sftx links Debian's C++ "
                        "libraries, built with the C++11 ABI: use a wheel built with it (PyPI's are, from torch 2.7)")
  endif()
  target_compile_definitions(sftx_torch INTERFACE _GLIBCXX_USE_CXX11_ABI=1)
  # The wheel ships fmt 12's headers in its include folder, which then shadow Debian's fmt 9 in
  # every torch TU: those compile fmt header-only (inline namespace fmt::v12), while the rest of
  # the tool links Debian's libfmt (fmt::v9); the two never meet in one symbol.
  target_compile_definitions(sftx_torch INTERFACE FMT_HEADER_ONLY=1)
  target_compile_features(sftx_torch INTERFACE cxx_std_20)
else()
  message(FATAL_ERROR "SFTX_TORCH must be debian or wheel, got '${SFTX_TORCH}'")
endif()
message(STATUS "sftx: LibTorch ${SFTX_TORCH_VERSION} (SFTX_TORCH=${SFTX_TORCH}, SFTX_CUDA=${SFTX_CUDA})")
