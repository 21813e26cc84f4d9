;; sensor-job: a wasi:cli command that runs to completion. It lists every regular file in the
;; granted directory (DATA_DIR, default /data: a preopened directory or a path inside one), in name
;; order, with its size, line count and first line (up to 60 bytes), then prints its arguments and
;; SENSOR_ID, and exits 0. Exits 1 if the directory cannot be read. At most 1024 files.
(module
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  ;; @include ../wat-lib/wasi-p1.wat

  (data (i32.const 8192) "DATA_DIR\00")
  (data (i32.const 8256) "/data\00")
  (data (i32.const 8320) "sensor-job: cannot read \00")
  (data (i32.const 8384) " (is it granted as a volume?)\n\00")
  (data (i32.const 8448) "sensor-job: \00")
  (data (i32.const 8512) " files in \00")
  (data (i32.const 8576) "  \00")
  (data (i32.const 8640) ": cannot open\n\00")
  (data (i32.const 8704) ": \00")
  (data (i32.const 8768) " bytes, \00")
  (data (i32.const 8832) " lines, first line: \00")
  (data (i32.const 8896) "sensor-job: args:\00")
  (data (i32.const 8960) "\nsensor-job: SENSOR_ID=\00")
  (data (i32.const 9024) "SENSOR_ID\00")
  (data (i32.const 9088) "(unset)\00")
  (data (i32.const 9152) "sensor-job: done, \00")
  (data (i32.const 9216) " files, \00")
  (data (i32.const 9280) " bytes\n\00")
  (data (i32.const 9344) ".\00")

  (global $names (mut i32) (i32.const 0)) ;; 1024 pointers to the names, then the names themselves
  (global $count (mut i32) (i32.const 0))
  (global $buf (mut i32) (i32.const 0))   ;; 64 KiB for fd_readdir and fd_read

  ;; a directory fd for the absolute path $path (NUL-terminated), or -1: the preopen whose name
  ;; is the longest prefix of it (ending at a /), then path_open of the rest ("." if none)
  (func $open_dir (param $path i32) (result i32)
    (local $fd i32) (local $len i32) (local $best i32) (local $best_len i32) (local $c i32)
    (local $rest i32)
    (local.set $best (i32.const -1))
    (local.set $fd (i32.const 3))
    (block $no_more
      (loop $next
        (br_if $no_more (call $fd_prestat_get (local.get $fd) (i32.const 32)))
        (local.set $len (i32.load (i32.const 36)))
        (if (i32.and (i32.eqz (i32.load8_u (i32.const 32))) (i32.lt_u (local.get $len) (i32.const 512)))
          (then
            (if (i32.eqz (call $fd_prestat_dir_name (local.get $fd) (i32.const 512) (local.get $len)))
              (then
                ;; a trailing / of the preopen's name does not count
                (if (i32.and (i32.gt_u (local.get $len) (i32.const 1))
                             (i32.eq (i32.load8_u (i32.add (i32.const 511) (local.get $len))) (i32.const 47)))
                  (then (local.set $len (i32.sub (local.get $len) (i32.const 1)))))
                (local.set $c (i32.load8_u (i32.add (local.get $path) (local.get $len))))
                (if (i32.and
                      (call $prefixed (local.get $path) (i32.const 512) (local.get $len))
                      (i32.and
                        (i32.or (i32.or (i32.eqz (local.get $c)) (i32.eq (local.get $c) (i32.const 47)))
                                (i32.eq (i32.load8_u (i32.add (i32.const 511) (local.get $len))) (i32.const 47)))
                        (i32.or (i32.lt_s (local.get $best) (i32.const 0))
                                (i32.gt_u (local.get $len) (local.get $best_len)))))
                  (then
                    (local.set $best (local.get $fd))
                    (local.set $best_len (local.get $len))))))))
        (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
        (br $next)))
    (if (i32.lt_s (local.get $best) (i32.const 0)) (then (return (i32.const -1))))
    (local.set $rest (i32.add (local.get $path) (local.get $best_len)))
    (block $trimmed
      (loop $slash
        (br_if $trimmed (i32.ne (i32.load8_u (local.get $rest)) (i32.const 47)))
        (local.set $rest (i32.add (local.get $rest) (i32.const 1)))
        (br $slash)))
    (if (i32.eqz (i32.load8_u (local.get $rest))) (then (local.set $rest (i32.const 9344))))
    ;; follow symlinks; O_DIRECTORY; rights: fd_readdir (1<<14) and fd_read (1<<1)
    (if (call $path_open (local.get $best) (i32.const 1) (local.get $rest) (call $strlen (local.get $rest))
          (i32.const 2) (i64.const 0x4002) (i64.const 0x4002) (i32.const 0) (i32.const 24))
      (then (return (i32.const -1))))
    (i32.load (i32.const 24)))

  ;; the names of the regular files in $dir into $names; 0, or -1 when it cannot be read
  (func $list (param $dir i32) (result i32)
    (local $cookie i64) (local $used i32) (local $at i32) (local $n i32) (local $to i32)
    (local $progress i32)
    (local.set $to (i32.add (global.get $names) (i32.const 4096)))
    (loop $read
      (if (call $fd_readdir (local.get $dir) (global.get $buf) (i32.const 65536) (local.get $cookie) (i32.const 28))
        (then (return (i32.const -1))))
      (local.set $used (i32.load (i32.const 28)))
      (local.set $at (global.get $buf))
      (local.set $progress (i32.const 0))
      (block $entries_done
        (loop $entry
          (br_if $entries_done (i32.gt_u (i32.add (local.get $at) (i32.const 24))
                                         (i32.add (global.get $buf) (local.get $used))))
          (local.set $n (i32.load (i32.add (local.get $at) (i32.const 16))))
          (br_if $entries_done (i32.gt_u (i32.add (i32.add (local.get $at) (i32.const 24)) (local.get $n))
                                         (i32.add (global.get $buf) (local.get $used))))
          (if (i32.and (i32.eq (i32.load8_u (i32.add (local.get $at) (i32.const 20))) (i32.const 4)) ;; regular file
                       (i32.lt_u (global.get $count) (i32.const 1024)))
            (then
              (i32.store (i32.add (global.get $names) (i32.shl (global.get $count) (i32.const 2))) (local.get $to))
              (global.set $count (i32.add (global.get $count) (i32.const 1)))
              (call $copy (i32.add (local.get $at) (i32.const 24)) (local.get $to) (local.get $n))
              (i32.store8 (i32.add (local.get $to) (local.get $n)) (i32.const 0))
              (local.set $to (i32.add (i32.add (local.get $to) (local.get $n)) (i32.const 1)))))
          (local.set $cookie (i64.load (local.get $at)))
          (local.set $progress (i32.const 1))
          (local.set $at (i32.add (i32.add (local.get $at) (i32.const 24)) (local.get $n)))
          (br $entry)))
      ;; a full buffer means there may be more, from the last cookie
      (br_if $read (i32.and (i32.eq (local.get $used) (i32.const 65536)) (local.get $progress))))
    (i32.const 0))

  (func $copy (param $from i32) (param $to i32) (param $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (i32.store8 (local.get $to) (i32.load8_u (local.get $from)))
        (local.set $from (i32.add (local.get $from) (i32.const 1)))
        (local.set $to (i32.add (local.get $to) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next))))

  ;; insertion sort of the name pointers
  (func $sort
    (local $i i32) (local $j i32) (local $key i32) (local $slot i32)
    (local.set $i (i32.const 1))
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $i) (global.get $count)))
        (local.set $key (i32.load (i32.add (global.get $names) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $j (local.get $i))
        (block $placed
          (loop $inner
            (br_if $placed (i32.eqz (local.get $j)))
            (local.set $slot (i32.add (global.get $names) (i32.shl (local.get $j) (i32.const 2))))
            (br_if $placed (i32.le_s
              (call $strcmp (i32.load (i32.sub (local.get $slot) (i32.const 4))) (local.get $key))
              (i32.const 0)))
            (i32.store (local.get $slot) (i32.load (i32.sub (local.get $slot) (i32.const 4))))
            (local.set $j (i32.sub (local.get $j) (i32.const 1)))
            (br $inner)))
        (i32.store (i32.add (global.get $names) (i32.shl (local.get $j) (i32.const 2))) (local.get $key))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer))))

  ;; "  <name>: <size> bytes, <lines> lines, first line: <up to 60 bytes>"; returns the size
  (func $summarize (param $dir i32) (param $name i32) (result i64)
    (local $fd i32) (local $n i32) (local $p i32) (local $c i32) (local $last i32)
    (local $size i64) (local $lines i64) (local $first i32) (local $in_first i32)
    (call $put (i32.const 8576))
    (call $put (local.get $name))
    (if (call $path_open (local.get $dir) (i32.const 1) (local.get $name) (call $strlen (local.get $name))
          (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 40))
      (then
        (call $put (i32.const 8640))
        (return (i64.const 0))))
    (local.set $fd (i32.load (i32.const 40)))
    (local.set $last (i32.const 10))
    (local.set $in_first (i32.const 1))
    (block $eof
      (loop $chunk
        (i32.store (i32.const 48) (global.get $buf))
        (i32.store (i32.const 52) (i32.const 65536))
        (br_if $eof (call $fd_read (local.get $fd) (i32.const 48) (i32.const 1) (i32.const 56)))
        (local.set $n (i32.load (i32.const 56)))
        (br_if $eof (i32.eqz (local.get $n)))
        (local.set $size (i64.add (local.get $size) (i64.extend_i32_u (local.get $n))))
        (local.set $p (global.get $buf))
        (block $scanned
          (loop $byte
            (br_if $scanned (i32.ge_u (local.get $p) (i32.add (global.get $buf) (local.get $n))))
            (local.set $c (i32.load8_u (local.get $p)))
            (local.set $last (local.get $c))
            (if (i32.eq (local.get $c) (i32.const 10))
              (then
                (local.set $lines (i64.add (local.get $lines) (i64.const 1)))
                (local.set $in_first (i32.const 0)))
              (else
                (if (i32.and (local.get $in_first) (i32.lt_u (local.get $first) (i32.const 60)))
                  (then
                    (i32.store8 (i32.add (i32.const 128) (local.get $first)) (local.get $c))
                    (local.set $first (i32.add (local.get $first) (i32.const 1)))))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $byte)))
        (br $chunk)))
    (drop (call $fd_close (local.get $fd)))
    ;; a last line without a newline still counts
    (if (i32.ne (local.get $last) (i32.const 10))
      (then (local.set $lines (i64.add (local.get $lines) (i64.const 1)))))
    (call $put (i32.const 8704))
    (call $put_num (local.get $size))
    (call $put (i32.const 8768))
    (call $put_num (local.get $lines))
    (call $put (i32.const 8832))
    (call $put_bytes (i32.const 128) (local.get $first))
    (call $put_byte (i32.const 10))
    (local.get $size))

  (func $print_args
    (local $argc i32) (local $argv i32) (local $i i32)
    (call $put (i32.const 8896))
    (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
    (local.set $argc (i32.load (i32.const 16)))
    (local.set $argv (call $alloc (i32.add (i32.shl (local.get $argc) (i32.const 2)) (i32.load (i32.const 20)))))
    (if (i32.eqz (local.get $argv)) (then (return)))
    (drop (call $args_get (local.get $argv) (i32.add (local.get $argv) (i32.shl (local.get $argc) (i32.const 2)))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $argc)))
        (call $put_byte (i32.const 32))
        (call $put (i32.load (i32.add (local.get $argv) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  (func (export "_start")
    (local $path i32) (local $dir i32) (local $i i32) (local $total i64) (local $sensor i32)
    (local.set $path (call $getenv (i32.const 8192)))
    (if (i32.eqz (local.get $path)) (then (local.set $path (i32.const 8256))))
    (if (i32.eqz (i32.load8_u (local.get $path))) (then (local.set $path (i32.const 8256))))
    (global.set $names (call $alloc (i32.const 65536)))
    (global.set $buf (call $alloc (i32.const 65536)))
    (local.set $dir (call $open_dir (local.get $path)))
    (if (i32.ge_s (local.get $dir) (i32.const 0))
      (then (if (call $list (local.get $dir)) (then (local.set $dir (i32.const -1))))))
    (if (i32.lt_s (local.get $dir) (i32.const 0))
      (then
        (call $to (i32.const 2))
        (call $put (i32.const 8320))
        (call $put (local.get $path))
        (call $put (i32.const 8384))
        (call $flush)
        (call $proc_exit (i32.const 1))))
    (call $sort)
    (call $put (i32.const 8448))
    (call $put_num (i64.extend_i32_u (global.get $count)))
    (call $put (i32.const 8512))
    (call $put (local.get $path))
    (call $put_byte (i32.const 10))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (global.get $count)))
        (local.set $total (i64.add (local.get $total)
          (call $summarize (local.get $dir)
            (i32.load (i32.add (global.get $names) (i32.shl (local.get $i) (i32.const 2)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $print_args)
    (call $put (i32.const 8960))
    (local.set $sensor (call $getenv (i32.const 9024)))
    (if (i32.eqz (local.get $sensor)) (then (local.set $sensor (i32.const 9088))))
    (call $put (local.get $sensor))
    (call $put_byte (i32.const 10))
    (call $put (i32.const 9152))
    (call $put_num (i64.extend_i32_u (global.get $count)))
    (call $put (i32.const 9216))
    (call $put_num (local.get $total))
    (call $put (i32.const 9280))
    (call $flush)))
