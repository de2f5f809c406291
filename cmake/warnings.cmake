# Compiler warnings for the project's own targets; SW_WERROR turns them into errors (CI).
option(SW_WERROR "Treat compiler warnings as errors" OFF)

function(sw_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
    -Wimplicit-fallthrough -Wnull-dereference -Wformat=2)
  if(SW_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
