import LumenCommands
Lumen.main()
