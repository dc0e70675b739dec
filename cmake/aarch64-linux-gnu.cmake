# CMake toolchain file for 64-bit Arm Linux with Debian's cross compiler (g++-aarch64-linux-gnu);
# programs run under qemu-aarch64 (qemu-user) where the host is not Arm, as ctest does through
# CMAKE_CROSSCOMPILING_EMULATOR.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
find_program(CTNN_QEMU_AARCH64 qemu-aarch64)
if(CTNN_QEMU_AARCH64)
  # -L: the target's dynamic loader and libraries (Debian's cross packages put them there)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${CTNN_QEMU_AARCH64} -L /usr/aarch64-linux-gnu)
endif()
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
