-- wrk: POST a JPEG (path in IMAGE) to /v1/cam/model/efficientnet-lite0, PNG answer.
local f = assert(io.open(os.getenv("IMAGE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "image/jpeg"
wrk.headers["Accept"] = "image/png"
