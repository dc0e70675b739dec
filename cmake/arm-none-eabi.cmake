# CMake toolchain file for bare-metal Arm Cortex-M with Debian's (Arm's) GNU toolchain:
#   cmake -S <your firmware> -B build -DCMAKE_TOOLCHAIN_FILE=<ctnn>/cmake/arm-none-eabi.cmake
# The core defaults to a Cortex-M4F with hard float; set CTNN_ARM_FLAGS for another one, e.g.
# "-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16". C++ without exceptions and RTTI,
# each function and object in its own section so that the linker drops what is not called.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
# no operating system to link a test program for: CMake's compiler checks build a library
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CTNN_ARM_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" CACHE STRING "Arm core and FPU flags")
set(CMAKE_C_FLAGS_INIT "${CTNN_ARM_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${CTNN_ARM_FLAGS} -ffunction-sections -fdata-sections -fno-exceptions -fno-rtti")
# newlib-nano; the firmware brings its own startup code and linker script
set(CMAKE_EXE_LINKER_FLAGS_INIT "${CTNN_ARM_FLAGS} --specs=nano.specs -Wl,--gc-sections")

# Programs (ctnn-embed, QEMU) come from the host; headers and libraries from the target.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
