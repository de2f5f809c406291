# Compiler warnings for the project's own targets; SW_WERROR turns them into errors (CI).
option(SW_WERROR "Treat compiler warnings as errors" OFF)

function(sw_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
    -Wimplicit-fallthrough -Wformat=2
    # GCC 12 reports false positives for both inside Asio/Beast coroutine frames and
    # CLI11 at -O2 (GCC bugs 105542 and similar); they find nothing in our code.
    -Wno-mismatched-new-delete -Wno-null-dereference)
  if(SW_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
