# Sums the 64-bit little-endian words of memory: r1 = memory, r2 = its length.
# A trailing partial word is ignored.
mov %r0, 0
mov %r4, %r1
add %r4, %r2            # r4 = one past the end
loop:
mov %r5, %r1
add %r5, 8
jgt %r5, %r4, done      # fewer than 8 bytes left
ldxdw %r3, [%r1]
add %r0, %r3
mov %r1, %r5
ja loop
done:
exit
