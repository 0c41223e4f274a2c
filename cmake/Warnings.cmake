# Warnings and sanitizers travel as one INTERFACE target (as ccache's StandardWarnings).
add_library(coltec_warnings INTERFACE)
target_compile_options(coltec_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion -Wnull-dereference
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(COLTEC_SANITIZE)
  target_compile_options(coltec_warnings INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(coltec_warnings INTERFACE -fsanitize=address,undefined)
endif()
