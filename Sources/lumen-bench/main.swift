import LumenIO
print("lumen-bench")
