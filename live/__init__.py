"""The live session: camera frames -> pose -> angles -> exercise feedback -> drawn frames."""
