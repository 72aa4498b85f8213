import WinbackCLI

WinbackCommand.run()
