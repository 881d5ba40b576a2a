import LocalPostgres
import Postgres
let s = try LocalServer.start()
let c = try Connection(s.connectionString())
print(try c.query("select version(), $1::int + 1", ["41"]).rows)
do { try c.query("select 1/0 from\n nosuch") } catch { print(error) }
s.stop()
